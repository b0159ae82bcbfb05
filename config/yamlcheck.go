package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// checkTree walks the parsed YAML document against Config before decoding,
// so that every misspelt key and every ill-typed value is reported
// together with the validation problems instead of the decoder stopping
// at the first. Offending nodes are removed, leaving their defaults, so
// the decode that follows sees only what it can read.
// It reports whether anything is left to decode.
func checkTree(doc *yaml.Node) (errs []string, decode bool) {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) != 1 {
			return nil, false // comments only
		}
		root = root.Content[0]
	}
	return errs, walk(root, reflect.TypeFor[Config](), "", &errs)
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	unmarshalType = reflect.TypeFor[yaml.Unmarshaler]()
)

// walk checks n against type t at path (dotted, with [i] for list items)
// and reports whether n may be decoded into t.
func walk(n *yaml.Node, t reflect.Type, path string, errs *[]string) bool {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return walk(n.Alias, t, path, errs)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true // "key:" with no value keeps the default
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// Types with their own decoding (ByteSize, ShardID) and durations are
	// scalars whatever their Go kind.
	custom := reflect.PointerTo(t).Implements(unmarshalType) || t == durationType ||
		reflect.PointerTo(t).Implements(reflect.TypeFor[interface{ UnmarshalText([]byte) error }]())
	switch {
	case t.Kind() == reflect.Struct && !custom:
		if n.Kind != yaml.MappingNode {
			*errs = append(*errs, fmt.Sprintf("%s (line %d): is %s, but it holds keys: write them indented on the lines below", orTop(path), n.Line, kindWords(n)))
			return false
		}
		fields := yamlFields(t)
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			key := join(path, k.Value)
			if !ok {
				*errs = append(*errs, unknownKey(key, k.Line, path, fields))
				continue
			}
			if !walk(v, f.Type, key, errs) {
				continue
			}
			kept = append(kept, k, v)
		}
		n.Content = kept
		return true
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		if n.Kind != yaml.SequenceNode {
			*errs = append(*errs, fmt.Sprintf("%s (line %d): is %s, but it is a list: write each entry on its own line starting with \"- \"", path, n.Line, kindWords(n)))
			return false
		}
		kept := n.Content[:0]
		for i, item := range n.Content {
			if walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs) {
				kept = append(kept, item)
			}
		}
		n.Content = kept
		return true
	}
	if n.Kind != yaml.ScalarNode {
		*errs = append(*errs, fmt.Sprintf("%s (line %d): is %s, but it takes a single value", path, n.Line, kindWords(n)))
		return false
	}
	if t.Kind() == reflect.String {
		return true
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		*errs = append(*errs, fmt.Sprintf("%s (line %d): %s", path, n.Line, scalarProblem(path, n.Value, t)))
		return false
	}
	return true
}

// scalarProblem says what is wrong with a value in the environment's
// words: the option's own parser when path is an option, else by type.
func scalarProblem(path, v string, t reflect.Type) string {
	for _, o := range options {
		if o.key == path {
			if err := o.set(Defaults(), v); err != nil {
				return err.Error()
			}
		}
	}
	switch {
	case t == durationType:
		return fmt.Sprintf("%q is not a duration: use a number with a unit, such as 90s, 2m or 1h", v)
	case t.Kind() == reflect.Bool:
		return fmt.Sprintf("%q is not true or false", v)
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return fmt.Sprintf("%q is not a whole number", v)
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return fmt.Sprintf("%q is not a number", v)
	}
	return fmt.Sprintf("%q is not a valid value", v)
}

func kindWords(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

func orTop(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps a struct's YAML keys to its fields; "-" fields (secrets)
// have no key.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		m[name] = f
	}
	return m
}

// unknownKey reports a key Config does not have, suggesting the nearest
// key at the same level, or a key of the same name elsewhere (a key
// written at the wrong indentation).
func unknownKey(key string, line int, parent string, siblings map[string]reflect.StructField) string {
	msg := fmt.Sprintf("%s (line %d): unknown key", key, line)
	last := key[strings.LastIndex(key, ".")+1:]
	for _, s := range secrets {
		if strings.EqualFold(strings.TrimPrefix(s.env, "BRIEFBOT_"), last) || strings.EqualFold(s.env, last) {
			return msg + fmt.Sprintf(": secrets are never read from the file; set %s (or %s_FILE) in the environment", s.env, s.env)
		}
	}
	names := make([]string, 0, len(siblings))
	for n := range siblings {
		names = append(names, n)
	}
	if s := nearest(last, names); s != "" {
		return msg + fmt.Sprintf("; did you mean %s?", join(parent, s))
	}
	var elsewhere []string
	for _, o := range options {
		if strings.HasSuffix(o.key, "."+last) || o.key == last {
			elsewhere = append(elsewhere, o.key)
		}
	}
	if len(elsewhere) > 0 {
		return msg + fmt.Sprintf("; did you mean %s? (check its indentation)", strings.Join(elsewhere, " or "))
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = join(parent, n)
	}
	return msg + "; valid keys here: " + strings.Join(names, ", ")
}

// nearest returns the candidate closest to s by edit distance, if close
// enough to be a likely typo (a third of its length, at least 2 edits),
// else "".
func nearest(s string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if best == "" || d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len(s)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (keys and variable names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// UnknownEnv returns a warning for each BRIEFBOT_* variable in environ
// ("KEY=value" entries, as os.Environ returns) that no option reads, with
// the nearest known name: a misspelt override is otherwise silently
// ignored. extra names variables read elsewhere (tests, benchmarks).
func UnknownEnv(environ []string, extra ...string) []string {
	known := map[string]bool{}
	var names []string
	add := func(n string) {
		if !known[n] {
			known[n] = true
			names = append(names, n)
		}
	}
	for _, o := range options {
		add(o.env())
	}
	for _, s := range secrets {
		add(s.env)
		add(s.env + "_FILE")
	}
	for _, n := range extra {
		add(n)
	}
	var warns []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "BRIEFBOT_") || known[k] {
			continue
		}
		w := k + " is set but briefbot reads no such variable, so it has no effect"
		if s := nearest(k, names); s != "" {
			w += "; did you mean " + s + "?"
		}
		warns = append(warns, w)
	}
	sort.Strings(warns)
	return warns
}
