package fulltext

import (
	"strings"
)

// robots is a parsed robots.txt (RFC 9309): the rules of the group that
// names our product token, else of the "*" group.
type robots struct {
	rules []robotsRule
	// all is set when the file could not be read for a reason that, by
	// the RFC, means "assume complete disallow" (5xx, network errors).
	all bool
}

type robotsRule struct {
	allow   bool
	pattern string
}

// parseRobots reads body for the group matching token (lower case), or
// the "*" group when none does.
func parseRobots(body, token string) robots {
	var (
		mine, star []robotsRule
		foundMine  bool
		agents     []string
		inRules    bool // the current group's user-agent lines have ended
	)
	for line := range strings.Lines(body) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if inRules {
				agents, inRules = nil, false
			}
			agents = append(agents, strings.ToLower(val))
		case "allow", "disallow":
			inRules = true
			if key == "disallow" && val == "" {
				continue // "Disallow:" with no path allows everything
			}
			r := robotsRule{allow: key == "allow", pattern: val}
			for _, a := range agents {
				switch {
				case a == token || strings.HasPrefix(token, a) && a != "":
					mine = append(mine, r)
					foundMine = true
				case a == "*":
					star = append(star, r)
				}
			}
		}
	}
	if foundMine {
		return robots{rules: mine}
	}
	return robots{rules: star}
}

// allowed reports whether path (with its query) may be fetched: the
// longest matching pattern decides, Allow winning ties.
func (r robots) allowed(path string) bool {
	if r.all {
		return false
	}
	best, allow := -1, true
	for _, rule := range r.rules {
		if n := len(rule.pattern); n >= best && matchRobots(rule.pattern, path) {
			if n > best || rule.allow {
				allow = rule.allow
			}
			best = n
		}
	}
	return allow
}

// matchRobots matches path against a robots pattern: a prefix match where
// "*" is any run of characters and a final "$" anchors the end.
func matchRobots(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	pattern = strings.TrimSuffix(pattern, "$")
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	rest := path[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	if anchored && rest != "" {
		// The last part must end the path: try it at the very end.
		last := parts[len(parts)-1]
		return len(parts) > 1 && strings.HasSuffix(path, last)
	}
	return true
}
