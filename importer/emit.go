package importer

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// emit writes the script for a parsed config.
func emit(cfg *config, source string) string {
	w := &scriptWriter{}
	emitHeader(w, cfg, source)
	w.line("seed %d", cfg.sim.seed)
	w.line("neurons = %s", formatInt(cfg.sim.neurons))
	w.line("frames = %s", formatInt(cfg.sim.frames))
	w.line("epochs = %d", cfg.tr.epochs)
	w.line("")
	emitNetwork(w, cfg)
	w.line("")
	w.line("data = simulate(net, dt = %s, frames = frames, burnin = %s)", formatNumber(cfg.sim.dt), formatInt(cfg.sim.burnin))
	w.line("")
	emitModel(w, cfg)
	w.line("")
	emitTraining(w, cfg)
	w.line("")
	emitReport(w, cfg)
	return w.b.String()
}

// emitHeader writes what the script is and the fields not mapped.
func emitHeader(w *scriptWriter, cfg *config, source string) {
	w.comment(fmt.Sprintf("Imported by `ngs import` from %s.", filepath.Base(source)))
	if cfg.description != "" {
		w.comment(strings.Join(strings.Fields(cfg.description), " "))
	}
	if len(cfg.notes.list) > 0 {
		w.comment("")
		w.comment("Fields not mapped, or mapped only approximately:")
		for _, line := range Summarize(cfg.notes.list) {
			w.comment("  " + line)
		}
	}
	w.line("")
}

// emitNetwork writes the network block: types, equation, wiring, noise, input.
func emitNetwork(w *scriptWriter, cfg *config) {
	sim, model := cfg.sim, cfg.gm.model
	w.open("network net")
	w.line("neurons = neurons")
	for k, row := range sim.params {
		settings := make([]string, len(row))
		for c, v := range row {
			settings[c] = model.columns[c] + " = " + formatNumber(v)
		}
		w.line("type %s { %s }", typeName(k, len(sim.params)), strings.Join(settings, "; "))
	}
	w.line("psi(u) = %s(u)", sim.transfer)
	w.line("%s", model.equation(sim.transfer, sim.inputMode))
	w.line("W = %s", sim.connectivity)
	w.line("u0 = normal(0, 5)")
	w.line("noise = %s", formatNumber(sim.noise))
	if sim.movie {
		w.line("input = movie(%s, neurons = %d)", strconv.Quote(MoviePath), sim.inputNeurons)
	}
	w.close()
}

// emitModel writes the GNN: psi*, phi* and, when the input is learned, omega*.
func emitModel(w *scriptWriter, cfg *config) {
	gm := cfg.gm
	w.open("model gnn")
	w.line("embedding = %d", gm.embedding)
	w.line("psi = mlp(%s, hidden = %d, layers = %d)", strings.Join(gm.model.psiInputs, ", "), gm.psiHidden, gm.psiLayers)
	w.line("phi = mlp(u[i], a[i], hidden = %d, layers = %d)", gm.phiHidden, gm.phiLayers)
	if cfg.tr.learnInput {
		w.line("omega = siren(x, y, t, hidden = %d, layers = %d, omega0 = %s, neurons = %d)",
			gm.omegaHidden, gm.omegaLyrs, formatNumber(gm.omega0), cfg.sim.inputNeurons)
		w.line("input = %q", cfg.sim.inputMode)
	}
	w.close()
}

// emitTraining writes the train(...) block with its schedule and hooks.
func emitTraining(w *scriptWriter, cfg *config) {
	tr := cfg.tr
	w.open("fit = train(gnn, data)")
	w.line("epochs = epochs")
	w.line("batch = %d", tr.batch)
	if tr.augmentation.set {
		w.line("augmentation = %s", formatNumber(tr.augmentation.value))
	}
	w.line("seed = %d", tr.seed)
	if lr := learningRates(tr); lr != "" {
		w.line("lr { %s }", lr)
	}
	emitPenalties(w, tr)
	if tr.freezeEmbedding {
		w.line("freeze_embedding = true")
	}
	w.line("truth = net")
	if tr.clusterEvery > 0 {
		w.line("every %d epochs { cluster(threshold = %s, refit = 20) }", tr.clusterEvery, formatNumber(tr.clusterThreshold))
	}
	w.close()
}

// learningRates lists the configured learning rates per parameter group.
func learningRates(tr training) string {
	var parts []string
	add := func(name string, o optional) {
		if o.set {
			parts = append(parts, name+" = "+formatNumber(o.value))
		}
	}
	add("W", tr.lrW)
	add("phi", tr.lrMLP)
	add("psi", tr.lrMLP)
	add("a", tr.lrEmbedding)
	if tr.learnInput {
		add("omega", tr.lrOmega)
	}
	return strings.Join(parts, "; ")
}

// emitPenalties writes the regularisers, with the two-phase schedule of
// n_epochs_init: edge_diff before it, W_L1 from it on (SPEC §3).
func emitPenalties(w *scriptWriter, tr training) {
	if tr.phiZero != 0 {
		w.line("phi_zero = %s", formatNumber(tr.phiZero))
	}
	switch {
	case tr.edgeDiff == 0:
	case tr.epochsInit > 0:
		w.line("edge_diff = schedule(%s, until = %d)", formatNumber(tr.edgeDiff), tr.epochsInit-1)
	default:
		w.line("edge_diff = %s", formatNumber(tr.edgeDiff))
	}
	switch {
	case tr.wL1 == 0:
	case tr.epochsInit > 0:
		w.line("W_L1 = schedule(%s, from = %d)", formatNumber(tr.wL1), tr.epochsInit)
	default:
		w.line("W_L1 = %s", formatNumber(tr.wL1))
	}
}

// emitReport writes the report and the symbolic regression of psi* and of
// phi* per cluster.
func emitReport(w *scriptWriter, cfg *config) {
	out := "report"
	if cfg.dataset != "" {
		out = cfg.dataset
	}
	w.line("m = report(fit, truth = net, out = %s)", strconv.Quote(out))
	w.line("print(\"connectivity R2 =\", m.connectivity.r2, \"slope =\", m.connectivity.slope)")
	w.line("print(\"psi* =\", symbolic(fit.psi).best)")
	w.open("for k in range(0, fit.clusters)")
	w.line("print(\"phi* of cluster\", k, \"=\", symbolic(fit.phi, cluster = k).best)")
	w.close()
}
