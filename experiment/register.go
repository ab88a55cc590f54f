package experiment

import (
	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

func init() {
	kinds := lang.DefaultDeclKinds()
	runtime.RegisterDecl(runtime.DeclSpec{Keyword: "network", Locals: kinds["network"], Handler: declareNetwork})
	runtime.RegisterDecl(runtime.DeclSpec{Keyword: "model", Locals: kinds["model"], Handler: declareModel})
	builtins := []*runtime.Builtin{
		wiringBuiltin("cauchy", "cauchy(p = 0, clip = 25, fill = 1, dale = 0, scale = 1): Cauchy wiring scaled by N^-p (p = 0: the reference's N-dependent exponent), samples with |s| > clip set to zero",
			runtime.Param{Name: "p", Default: runtime.Number(0)}, runtime.Param{Name: "clip", Default: runtime.Number(25)}),
		wiringBuiltin("gaussian", "gaussian(fill = 1, dale = 0, scale = 1): Normal(0, 1)/√N wiring"),
		wiringBuiltin("lowrank", "lowrank(rank = 1, sparse = 0, fill = 1, dale = 0, scale = 1): U·V/√(rank·N) wiring, plus a sparse Normal(0, 1/(sparse·N)) part on a fraction sparse of the weights",
			runtime.Param{Name: "rank", Default: runtime.Number(1)}, runtime.Param{Name: "sparse", Default: runtime.Number(0)}),
		simulateBuiltin, trainBuiltin, scheduleBuiltin, clusterBuiltin, reportBuiltin, symbolicBuiltin, saveBuiltin, loadBuiltin,
		recordingBuiltin, subnetworkBuiltin,
		modelOnly("mlp", "mlp(inputs..., hidden = 64, layers = 3, activation = \"relu\"): a learned MLP inside a model block"),
		modelOnly("siren", "siren(x, y, t, hidden = 128, layers = 5, omega0 = 30, neurons = K): the learned hidden input Ω* inside a model block"),
	}
	builtins = append(builtins, inputBuiltins()...)
	for _, b := range builtins {
		runtime.Register(b)
	}
}
