package repl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

// Complete returns the completions of the word before pos in line, and the
// length of the part of that word they replace. It completes REPL
// commands after a leading ':', file names after :load, names after
// :help, fields after `x.` (values that implement runtime.AttrNames), and
// otherwise names in scope, builtins and keywords.
func (s *Session) Complete(line string, pos int) (candidates []string, replace int) {
	if pos < 0 || pos > len(line) {
		pos = len(line)
	}
	before := line[:pos]
	if strings.HasPrefix(strings.TrimSpace(before), ":") {
		return s.completeCommand(strings.TrimLeft(before, " \t"))
	}
	start := pos
	for start > 0 && (isWordByte(before[start-1]) || before[start-1] == '.') {
		start--
	}
	word := before[start:]
	if dot := strings.LastIndexByte(word, '.'); dot >= 0 {
		prefix := word[dot+1:]
		return withPrefix(s.fieldNames(word[:dot]), prefix), len(prefix)
	}
	// Inside a builtin's parentheses: its parameters first.
	if name := openCall(before[:start]); name != "" {
		if b, ok := s.interp.Registry().Builtin(name); ok {
			var params []string
			for _, p := range b.Params {
				params = append(params, p.Name)
			}
			if c := withPrefix(params, word); len(c) > 0 && word != "" {
				return c, len(word)
			}
		}
	}
	s.mu.Lock()
	src := strings.Join(append(append([]string(nil), s.pending...), before), "\n")
	s.mu.Unlock()
	if schema, hook := s.openBlock(src); schema != nil {
		// Inside a settings block: its settings and sub-blocks first.
		names := append(schema.SettingNames(), schema.BlockNames()...)
		if schema.Hooks != nil {
			names = append(names, "every")
		}
		if c := withPrefix(names, word); len(c) > 0 {
			return c, len(word)
		}
	} else if hook != nil {
		return withPrefix(append(s.names(), hook.Locals...), word), len(word)
	}
	return withPrefix(s.names(), word), len(word)
}

// openBlock finds the innermost block open at the end of src and returns
// its schema (a declaration's, a builtin's trailing block's, or one of
// their sub-blocks'), or, inside an every-hook, the hook's schema.
func (s *Session) openBlock(src string) (*lang.BlockSchema, *lang.HookSchema) {
	type frame struct {
		schema *lang.BlockSchema
		hook   *lang.HookSchema
	}
	reg := s.interp.Registry()
	var stack []frame
	start := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			start = i + 1
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '\n', ';':
			start = i + 1
		case '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			start = i + 1
		case '{':
			head := strings.Fields(src[start:i])
			start = i + 1
			var f frame
			var parent *lang.BlockSchema
			if len(stack) > 0 {
				parent = stack[len(stack)-1].schema
			}
			switch {
			case len(head) == 0:
			case parent != nil && head[0] == "every" && parent.Hooks != nil:
				f.hook = parent.Hooks
			case parent != nil && parent.Blocks[head[0]] != nil:
				f.schema = parent.Blocks[head[0]]
			default:
				if d, ok := reg.Decl(head[0]); ok {
					f.schema = d.Block
				} else if name := calleeOf(src[:i]); name != "" {
					if b, ok := reg.Builtin(name); ok {
						f.schema = b.Block
					}
				}
			}
			stack = append(stack, f)
		}
	}
	if len(stack) == 0 {
		return nil, nil
	}
	top := stack[len(stack)-1]
	return top.schema, top.hook
}

// openCall returns NAME when the end of line lies inside the parentheses
// of a call NAME(...), else "".
func openCall(line string) string {
	depth := 0
	for i := len(line) - 1; i >= 0; i-- {
		switch line[i] {
		case ')', ']':
			depth++
		case '[':
			depth--
		case '(':
			if depth == 0 {
				end := i
				for i > 0 && isWordByte(line[i-1]) {
					i--
				}
				return line[i:end]
			}
			depth--
		case '{', '}', ';':
			if depth == 0 {
				return ""
			}
		}
	}
	return ""
}

// calleeOf returns NAME when src ends with `NAME(...)` (a call with a
// trailing block about to open), else "".
func calleeOf(src string) string {
	src = strings.TrimRight(src, " \t")
	if !strings.HasSuffix(src, ")") {
		return ""
	}
	depth := 0
	for i := len(src) - 1; i >= 0; i-- {
		switch src[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				end := i
				for i > 0 && isWordByte(src[i-1]) {
					i--
				}
				return src[i:end]
			}
		}
	}
	return ""
}

// completeCommand completes a REPL command line such as ":he" or ":load sc".
func (s *Session) completeCommand(text string) ([]string, int) {
	name, arg, hasArg := strings.Cut(text, " ")
	if !hasArg {
		return withPrefix(commandNames(), name), len(name)
	}
	arg = strings.TrimLeft(arg, " ")
	switch name {
	case ":help", ":h":
		return withPrefix(s.names(), arg), len(arg)
	case ":load", ":l":
		return completePath(arg), len(arg)
	}
	return nil, 0
}

// completePath lists files and directories (with a trailing slash) that
// start with prefix.
func completePath(prefix string) []string {
	matches, _ := filepath.Glob(globEscape(prefix) + "*")
	for i, m := range matches {
		if info, err := os.Stat(m); err == nil && info.IsDir() {
			matches[i] = m + string(filepath.Separator)
		}
	}
	return matches
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

// names lists everything a name may complete to: globals, builtins,
// predeclared values, keywords and declaration keywords.
func (s *Session) names() []string {
	set := map[string]bool{}
	for _, n := range s.interp.Globals().AllNames() {
		set[n] = true
	}
	for kw := range lang.Keywords {
		set[kw] = true
	}
	for _, kw := range s.interp.Registry().DeclKeywords() {
		set[kw] = true
	}
	set["seed"] = true
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// fieldNames evaluates a dotted path of names (`fit` or `m.connectivity`)
// without calling anything and lists the fields of the value it names.
func (s *Session) fieldNames(path string) []string {
	parts := strings.Split(path, ".")
	v, ok := s.interp.Globals().Lookup(parts[0])
	if !ok {
		return nil
	}
	for _, p := range parts[1:] {
		a, isAttrs := v.(runtime.HasAttrs)
		if !isAttrs {
			return nil
		}
		next, err := a.Attr(p)
		if err != nil {
			return nil
		}
		v = next
	}
	names, ok := v.(runtime.AttrNames)
	if !ok {
		return nil
	}
	return names.Names()
}

// withPrefix returns the sorted, distinct candidates that start with prefix.
func withPrefix(candidates []string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// completer adapts Session.Complete to readline.AutoCompleter.
type completer struct{ s *Session }

// Do returns the suffixes that complete the word before pos.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	prefix := string(line[:pos])
	cands, n := c.s.Complete(prefix, len(prefix))
	out := make([][]rune, len(cands))
	for i, cand := range cands {
		out[i] = []rune(cand[n:])
	}
	return out, len([]rune(prefix[len(prefix)-n:]))
}
