package repl

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

// commands are the REPL's own commands with their one-line help.
var commands = []struct{ name, args, doc string }{
	{":help", "[NAME]", "list builtins and commands, or show NAME's signature and doc"},
	{":load", "FILE", "run a script file in this session"},
	{":vars", "", "list the names this session has defined"},
	{":reset", "", "forget every name defined in this session"},
	{":quit", "", "leave (Ctrl-D does too)"},
}

// commandNames lists the REPL commands.
func commandNames() []string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.name
	}
	return out
}

// keywordHelp describes the statements and declarations of the language.
var keywordHelp = map[string]string{
	"fn":       "fn name(a, b = 1) = expr  or  fn name(a) { ... return x }: define a function",
	"const":    "const name = expr: a constant; assigning to it again is an error",
	"if":       "if cond { ... } else if cond { ... } else { ... }",
	"else":     "if cond { ... } else { ... }",
	"for":      "for x in list, range(...) or tensor { ... }",
	"in":       "for x in list { ... }",
	"while":    "while cond { ... }",
	"break":    "break: leave the innermost loop",
	"continue": "continue: go on with the next iteration of the innermost loop",
	"return":   "return expr: leave the function with a value",
	"and":      "a and b: true when both are",
	"or":       "a or b: true when either is",
	"not":      "not x: the negation of x",
	"sum_j":    "sum_j X: in a network equation, X summed over the senders j != i",
	"seed":     "seed N: seed every random generator of the run",
	"network":  "network NAME { neurons = N; type A { ... }; du/dt = ...; W = cauchy() }: declare a network",
	"model":    "model NAME { embedding = 2; psi = mlp(u[j]); phi = mlp(u[i], a[i]) }: declare a learnable GNN",
	"true":     "the boolean true",
	"false":    "the boolean false",
	"nil":      "the value nil (nothing)",
}

// help writes :help's answer for name ("" lists everything).
func (s *Session) help(w io.Writer, name string) {
	if name == "" {
		s.helpIndex(w)
		return
	}
	reg := s.interp.Registry()
	if b, ok := reg.Builtin(name); ok {
		writeBuiltinHelp(w, b)
		return
	}
	if d, ok := reg.Decl(name); ok {
		writeDeclHelp(w, d)
		return
	}
	if doc, ok := keywordHelp[name]; ok {
		fmt.Fprintln(w, doc)
		return
	}
	if v, ok := s.interp.Globals().Lookup(name); ok {
		writeValueHelp(w, name, v, reg)
		return
	}
	for _, c := range commands {
		if c.name == name || c.name == ":"+name {
			fmt.Fprintf(w, "%s %s: %s\n", c.name, c.args, c.doc)
			return
		}
	}
	fmt.Fprintf(w, "no help for %q%s\n", name, didYouMean(name, s.names()))
}

// helpIndex lists the commands and every builtin with its doc line.
func (s *Session) helpIndex(w io.Writer) {
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", strings.TrimSpace(c.name+" "+c.args), c.doc)
	}
	fmt.Fprintln(w, "Builtins (:help NAME for details):")
	for _, b := range s.interp.Registry().Builtins() {
		fmt.Fprintf(w, "  %-16s %s\n", b.Name, firstLine(b.Doc))
	}
	keywords := make([]string, 0, len(keywordHelp))
	for k := range keywordHelp {
		keywords = append(keywords, k)
	}
	sort.Strings(keywords)
	fmt.Fprintf(w, "Keywords: %s\n", strings.Join(keywords, " "))
	fmt.Fprintln(w, "Enter a statement or an expression; blocks and brackets continue over lines.")
	fmt.Fprintln(w, "Ctrl-C stops a running statement or clears the line; Ctrl-D leaves.")
}

// Signature formats a builtin's call signature, e.g.
// "clip(x, lo = -1, hi = 1)".
func Signature(b *runtime.Builtin) string {
	var positional, keyword []string
	for _, p := range b.Params {
		if p.Keyword {
			keyword = append(keyword, paramText(p))
		} else {
			positional = append(positional, paramText(p))
		}
	}
	parts := positional
	if b.Variadic {
		parts = append(parts, "...")
	}
	parts = append(parts, keyword...)
	if b.AnyNamed {
		parts = append(parts, "name = value ...")
	}
	return b.Name + "(" + strings.Join(parts, ", ") + ")"
}

// paramText shows a parameter with its default, if any.
func paramText(p runtime.Param) string {
	switch {
	case p.Default == nil:
		return p.Name
	case p.Default == runtime.None:
		return p.Name + " = nil"
	}
	return p.Name + " = " + Format(p.Default)
}

func writeBuiltinHelp(w io.Writer, b *runtime.Builtin) {
	fmt.Fprintln(w, Signature(b))
	if b.Doc != "" {
		fmt.Fprintf(w, "  %s\n", b.Doc)
	}
	for _, p := range b.Params {
		if p.Doc == "" && p.Type.Kinds == 0 {
			continue
		}
		kind := ""
		if p.Keyword {
			kind = " (by name only)"
		}
		text := p.Doc
		if p.Type.Kinds != 0 {
			text = strings.TrimSuffix(p.Type.String()+" — "+p.Doc, " — ")
		}
		fmt.Fprintf(w, "  %s%s: %s\n", p.Name, kind, text)
	}
	if b.Block != nil {
		fmt.Fprintf(w, "  %s(...) { ... } holds:\n%s", b.Name, b.Block.Describe("    "))
	}
}

// writeDeclHelp shows a declaration keyword with the settings, blocks and
// equations its block holds, from the schema registered with it.
func writeDeclHelp(w io.Writer, d runtime.DeclSpec) {
	if doc, ok := keywordHelp[d.Keyword]; ok {
		fmt.Fprintln(w, doc)
	} else {
		fmt.Fprintf(w, "%s NAME { ... }: %s\n", d.Keyword, d.Doc)
	}
	if d.Block == nil {
		return
	}
	fmt.Fprintf(w, "  %s NAME { ... } holds:\n%s", d.Keyword, d.Block.Describe("    "))
	if d.Block.Equations {
		fmt.Fprintln(w, "    f(x) = ... and du/dt = ...: equations")
	}
	if len(d.Locals) > 0 {
		fmt.Fprintf(w, "  names its block may use: %s\n", strings.Join(d.Locals, ", "))
	}
}

func writeValueHelp(w io.Writer, name string, v runtime.Value, reg *runtime.Registry) {
	switch x := v.(type) {
	case *runtime.Function:
		fmt.Fprintf(w, "fn %s", x.String())
		if x.Pos.IsValid() {
			fmt.Fprintf(w, "  (defined at %s)", x.Pos)
		}
		fmt.Fprintln(w)
		return
	case *runtime.Builtin:
		writeBuiltinHelp(w, x)
		return
	}
	fmt.Fprintf(w, "%s: %s = %s\n", name, v.Type(), Format(v))
	if doc, ok := reg.ValueDoc(name); ok && doc != "" {
		fmt.Fprintf(w, "  %s\n", doc)
	}
	if names, ok := v.(runtime.AttrNames); ok && len(names.Names()) > 0 {
		fmt.Fprintf(w, "  fields: %s\n", strings.Join(names.Names(), ", "))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func didYouMean(name string, candidates []string) string {
	if c := lang.Closest(name, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}
