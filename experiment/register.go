package experiment

import (
	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

// netSize is what an MLP's or a SIREN's hidden, layers and neurons accept
// (a size too large for memory is refused by the memory estimate, which
// says how much it would need).
var netSize = lang.Whole(1)

// option is a keyword parameter of a model-block builtin with its default
// (nil: none) and type.
func option(name string, def any, t lang.Type) runtime.Param {
	p := runtime.Param{Name: name, Keyword: true, Type: t, Default: runtime.Nil{}}
	switch d := def.(type) {
	case int:
		p.Default = runtime.Number(d)
	case string:
		p.Default = runtime.String(d)
	}
	return p
}

func init() {
	locals := append([]string(nil), equationLocals...)
	runtime.RegisterDecl(runtime.DeclSpec{Keyword: "network", Locals: locals, Block: networkSchema, Doc: networkSchema.Doc, Handler: declareNetwork})
	// A model's functions may also use the embedding a.
	runtime.RegisterDecl(runtime.DeclSpec{Keyword: "model", Locals: append(locals[:len(locals):len(locals)], "a"), Block: modelSchema, Doc: modelSchema.Doc, Handler: declareModel})
	// The trailing block of train is described by its schema (schema.go).
	trainBuiltin.Block = trainSchema
	builtins := []*runtime.Builtin{
		wiringBuiltin("cauchy", "cauchy(p = 0, clip = 25, fill = 1, dale = 0, scale = 1): Cauchy wiring scaled by N^-p (p = 0: the reference's N-dependent exponent), samples with |s| > clip set to zero",
			runtime.Param{Name: "p", Default: runtime.Number(0)}, runtime.Param{Name: "clip", Default: runtime.Number(25)}),
		wiringBuiltin("gaussian", "gaussian(fill = 1, dale = 0, scale = 1): Normal(0, 1)/√N wiring"),
		wiringBuiltin("lowrank", "lowrank(rank = 1, sparse = 0, fill = 1, dale = 0, scale = 1): U·V/√(rank·N) wiring, plus a sparse Normal(0, 1/(sparse·N)) part on a fraction sparse of the weights",
			runtime.Param{Name: "rank", Default: runtime.Number(1)}, runtime.Param{Name: "sparse", Default: runtime.Number(0)}),
		simulateBuiltin, trainBuiltin, scheduleBuiltin, clusterBuiltin, reportBuiltin, symbolicBuiltin, saveBuiltin, loadBuiltin,
		recordingBuiltin, subnetworkBuiltin,
		modelOnly("mlp", "mlp(inputs..., hidden = 64, layers = 3, activation = \"relu\"): a learned MLP inside a model block",
			option("hidden", 64, netSize), option("layers", 3, netSize), option("activation", "relu", lang.Text())),
		modelOnly("siren", "siren(x, y, t, hidden = 128, layers = 5, omega0 = 30, neurons = K, positions = nil): the learned hidden input Ω* inside a model block",
			option("hidden", 128, netSize), option("layers", 5, netSize), option("omega0", 30, lang.Number()),
			option("neurons", nil, netSize), option("positions", nil, lang.Text())),
	}
	builtins = append(builtins, inputBuiltins()...)
	for _, b := range builtins {
		typeParams(b)
		runtime.Register(b)
	}
}
