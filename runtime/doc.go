// Package runtime is the ngs interpreter: values, environments, calls, a
// tree-walking evaluator, and the registries through which other packages
// add builtins and declaration semantics.
//
// # Values
//
// Every script value implements Value (Type, String). The built-in kinds are
// Number (float64), String, Bool, Nil (None), *List, *Record (ordered
// keys), *Tensor (float32 data with a shape), *Function (user functions)
// and *Builtin. A value from another package implements Value and may also
// implement HasAttrs (x.name), AttrNames (completion), Callable (x(...))
// and Indexable (x[i]).
//
// # Adding a builtin
//
//	func init() {
//		runtime.Register(&runtime.Builtin{
//			Name:   "simulate",
//			Doc:    "simulate(net, dt = 0.01, frames = 1000): run a network",
//			Params: []runtime.Param{{Name: "net"}, {Name: "dt", Default: runtime.Number(0.01)}, {Name: "frames", Default: runtime.Number(1000)}},
//			Fn: func(c *runtime.Call) (runtime.Value, error) {
//				net, ok := c.Arg(0).(*Network)
//				if !ok {
//					return nil, c.ArgError(0, "expected a network, found %s", c.Arg(0).Type())
//				}
//				dt, err := c.Number("dt")    // named, positional or default
//				if err != nil {
//					return nil, err
//				}
//				path, err := c.ResolvePath("sim/u.npy") // under --out, checked by the host's hook
//				...
//				if err := c.Ctx().Err(); err != nil { ... } // cancellation in long loops
//			},
//		})
//	}
//
// Params drive the checker (arity, unknown named arguments) and the
// argument helpers. Set Variadic for extra positional arguments and
// AnyNamed for open-ended named arguments. Errors from c.Errorf and
// c.ArgError carry the script position; a plain error returned by Fn is
// positioned at the call; a panic in Fn is recovered and reported as an
// internal error (a bug in ngs) at the call.
//
// A trailing block (train(m, d) { epochs = 10 }) arrives unevaluated as
// c.Block. Evaluate it with
//
//	env := runtime.NewEnv(c.Env)
//	if err := c.Interp.Exec(c.Block, env); err != nil { return nil, err }
//	epochs, _ := env.Local("epochs")
//
// or walk c.Block.Stmts (lang.Setting, lang.NamedBlock, lang.FuncEq,
// lang.DerivEq, lang.Every) and evaluate expressions with
// c.Interp.Eval(expr, env).
//
// # Declarations
//
// `network NAME { ... }` and `model NAME { ... }` are dispatched by keyword
// to a handler registered with RegisterDecl; its result is bound to NAME.
// The keyword's lang.BlockSchema tells the checker which settings,
// sub-blocks and equations its block holds:
//
//	runtime.RegisterDecl(runtime.DeclSpec{Keyword: "network", Locals: []string{"u", "i", "j", "W"}, Block: schema,
//		Handler: func(d *runtime.DeclCall) (runtime.Value, error) { ... d.Decl.Block ... }})
//
// # Embedding
//
//	prog, err := runtime.Compile("exp.ngs", src, runtime.CompileOptions{Predeclared: []string{"host"}})
//	in, err := prog.Run(ctx, runtime.RunOptions{Stdout: &buf, Predeclared: map[string]runtime.Value{"host": v}})
//	r2, _ := in.Globals().Lookup("r2")
//
// A Program is immutable and may be run from several goroutines at once;
// each Run makes its own Interp. For a REPL, make one Interp with NewInterp
// and feed it lines with ExecSource: bindings persist between calls.
package runtime
