package lang

import (
	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

// Stand-ins for the experiment builtins and declarations that other
// packages implement, so that the checker and interpreter can be tested on
// scripts written as in docs/LANGUAGE.md. They only echo their inputs.
func init() {
	open := func(name string) *runtime.Builtin {
		return &runtime.Builtin{Name: name, Variadic: true, AnyNamed: true, Params: []runtime.Param{},
			Fn: func(c *runtime.Call) (runtime.Value, error) {
				r := runtime.NewRecord().Set("builtin", runtime.String(c.Name)).Set("args", runtime.Number(len(c.Args)))
				if c.Block != nil {
					env := runtime.NewEnv(c.Env)
					if err := c.Interp.Exec(c.Block, env); err != nil {
						return nil, err
					}
					for _, name := range env.Names() {
						v, _ := env.Local(name)
						r.Set(name, v)
					}
				}
				return r, nil
			}}
	}
	for _, name := range []string{"cauchy", "simulate", "train", "cluster", "mlp", "siren", "schedule", "movie", "report", "symbolic"} {
		if _, ok := runtime.Default.Builtin(name); !ok {
			runtime.Register(open(name))
		}
	}
	runtime.RegisterValue("auto", runtime.String("auto"), "let the builtin choose", true)
	declare := func(kw string, locals []string, schema *lang.BlockSchema) {
		runtime.RegisterDecl(runtime.DeclSpec{Keyword: kw, Locals: locals, Block: schema, Handler: func(d *runtime.DeclCall) (runtime.Value, error) {
			r := runtime.NewRecord().Set("kind", runtime.String(d.Decl.Kind))
			types := 0
			for _, s := range d.Decl.Block.Stmts {
				switch s := s.(type) {
				case *lang.NamedBlock:
					types++
				case *lang.Setting:
					if s.Name == "neurons" {
						v, err := d.Interp.Eval(s.Value, d.Env)
						if err != nil {
							return nil, err
						}
						r.Set("neurons", v)
					}
				}
			}
			return r.Set("types", runtime.Number(types)), nil
		}})
	}
	// Open schemas: any setting, and in a network named type blocks whose
	// settings other than count and fraction are parameters.
	network := &lang.BlockSchema{What: "network", Open: true, Equations: true,
		Blocks: map[string]*lang.BlockSchema{"type": {What: "type block", Named: true, Params: true,
			Settings: []lang.SettingSchema{{Name: "count"}, {Name: "fraction"}}}}}
	locals := []string{"u", "i", "j", "W", "e", "t", "N", "x", "y"}
	declare("network", locals, network)
	declare("model", append(append([]string{}, locals...), "a"), &lang.BlockSchema{What: "model", Open: true})
}
