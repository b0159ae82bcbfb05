package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// No Docker engine runs the tests, so the files Docker reads are checked
// against what they must agree with.
func TestDockerFilesAgreeWithGoMod(t *testing.T) {
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	gomod := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(read("go.mod"))
	if gomod == nil {
		t.Fatal("go.mod has no go line")
	}
	goVersion := gomod[1]

	dockerfile := read("Dockerfile")
	if m := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindStringSubmatch(dockerfile); m == nil || m[1] != goVersion {
		t.Errorf("Dockerfile's GO_VERSION %v differs from go.mod's go %s", m, goVersion)
	}
	if !strings.Contains(dockerfile, "FROM golang:${GO_VERSION} AS build") || !strings.Contains(dockerfile, "ENV GOTOOLCHAIN=auto") {
		t.Error("the build stage must use golang:${GO_VERSION} with GOTOOLCHAIN=auto")
	}
	if !strings.Contains(read(".dockerignore"), ".env") {
		t.Error(".dockerignore must keep .env (the token) out of the build context")
	}
	readme := read("README.md")
	if !strings.Contains(readme, "Go "+goVersion) || strings.Contains(readme, "or newer") {
		t.Errorf("README must name Go %s, as go.mod does", goVersion)
	}

	compose := read("docker-compose.yml")
	if strings.Contains(compose, ":?") {
		t.Error("docker-compose.yml requires a variable with ${…:?}: then every compose command, down included, needs it")
	}
	var doc struct {
		Services map[string]struct {
			Image   string
			Build   any
			Command []string
		}
	}
	if err := yaml.Unmarshal([]byte(compose), &doc); err != nil {
		t.Fatal(err)
	}
	var builders []string
	images := map[string]bool{}
	for name, s := range doc.Services {
		if s.Build != nil {
			builders = append(builders, name)
			args, _ := s.Build.(map[string]any)["args"].(map[string]any)
			if args["VERSION"] == nil {
				t.Errorf("service %s builds without a VERSION build argument", name)
			}
		}
		if strings.HasPrefix(s.Image, "briefbot:") {
			images[s.Image] = true
			if name != "migrate" && (len(s.Command) < 2 || s.Command[1] != "--require-token") {
				t.Errorf("service %s should run with --require-token, got %q", name, s.Command)
			}
		}
	}
	if len(builders) != 1 || len(images) != 1 {
		t.Errorf("want one service building one image tag that all use; builders %v, tags %v", builders, images)
	}
}

func TestRunRequireToken(t *testing.T) {
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	t.Chdir(t.TempDir())
	if code := execute(context.Background(), e, []string{"run", "--require-token"}); code != 1 || !strings.Contains(errOut.String(), "DISCORD_TOKEN is not set") {
		t.Errorf("exit %d, stderr %s", code, errOut.String())
	}
}
