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
}

// CheckConfig is what the checker knows beyond the file itself.
type CheckConfig struct {
	// Predeclared are the builtins and host values visible to the script.
	Predeclared map[string]Symbol
	// DeclKinds are the declaration keywords (network, model, ...) with the
	// extra names their blocks may use without defining them.
	DeclKinds map[string][]string
	// Globals are names already bound before this file runs (a REPL's
	// earlier lines); Consts are those among them that are constants.
	Globals map[string]bool
	Consts  map[string]bool
}

// DefaultDeclKinds are the declarations of docs/LANGUAGE.md: network and
// model blocks may use the equation-local names; a model also its
// embedding a.
func DefaultDeclKinds() map[string][]string {
	model := append(append([]string{}, EquationLocals...), "a")
	return map[string][]string{
		"network": append([]string{}, EquationLocals...),
		"model":   model,
	}
}
