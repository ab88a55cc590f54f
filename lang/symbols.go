package lang

// Symbol describes a predeclared name (a builtin or a host value) to the
// checker.
type Symbol struct {
	Name string
	// Callable is true for builtins; the fields below describe their arity.
	Callable bool
	// Params are the parameter names, in positional order.
	Params []string
	// Positional is how many leading Params may be passed by position; the
	// rest are named only.
	Positional int
	// Required is how many leading Params have no default.
	Required int
	// Variadic accepts any number of positional arguments beyond Params.
	Variadic bool
	// AnyNamed accepts named arguments that are not in Params.
	AnyNamed bool
	// Constant names cannot be assigned (pi, e.g.).
	Constant bool
	// Types, parallel to Params, say what each parameter accepts (Any
	// where unchecked); shorter than Params leaves the rest unchecked.
	Types []Type
	// Block describes the trailing block a builtin takes (train(...) { }),
	// or nil.
	Block *BlockSchema
}

// CheckConfig is what the checker knows beyond the file itself.
type CheckConfig struct {
	// Predeclared are the builtins and host values visible to the script.
	Predeclared map[string]Symbol
	// DeclKinds are the declaration keywords (network, model, ...) with the
	// extra names their blocks may use without defining them.
	DeclKinds map[string][]string
	// Decls are the schemas of the declarations' blocks, by keyword; a
	// keyword without one has its settings unchecked.
	Decls map[string]*BlockSchema
	// Globals are names already bound before this file runs (a REPL's
	// earlier lines); Consts are those among them that are constants.
	Globals map[string]bool
	Consts  map[string]bool
}
