package importer

import "fmt"

// readGraphModel reads the graph_model section.
func readGraphModel(s *section, n *notes) (graphModel, error) {
	var e errs
	name := e.text(s, "signal_model_name", "")
	gm := graphModel{
		psiHidden: e.int(s, "hidden_dim", 64), psiLayers: e.int(s, "n_layers", 3),
		phiHidden: e.int(s, "hidden_dim_update", 64), phiLayers: e.int(s, "n_layers_update", 3),
		embedding:   e.int(s, "embedding_dim", 2),
		omegaHidden: e.int(s, "hidden_dim_nnr_f", 128), omegaLyrs: e.int(s, "n_layers_nnr_f", 5),
		omega0: e.float(s, "omega_f", 30),
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"hidden_dim", gm.psiHidden}, {"n_layers", gm.psiLayers}, {"hidden_dim_update", gm.phiHidden},
		{"n_layers_update", gm.phiLayers}, {"embedding_dim", gm.embedding},
		{"hidden_dim_nnr_f", gm.omegaHidden}, {"n_layers_nnr_f", gm.omegaLyrs}} {
		e.positive(s, f.name, f.v)
	}
	if e.err != nil {
		return gm, e.err
	}
	if name == "" {
		return gm, &FieldError{Source: s.source, Line: max(s.lineOf("signal_model_name"), s.line), Path: s.fieldPath("signal_model_name"),
			Expected: "a signal model name (PDE_N2, PDE_N4, PDE_N5)", Found: "nothing"}
	}
	model, err := lookupModel(name)
	if err != nil {
		return gm, fmt.Errorf("%s:%d: %s: %w", s.source, s.lineOf("signal_model_name"), s.fieldPath("signal_model_name"), err)
	}
	gm.model = model
	return gm, checkModelFields(s, n, gm)
}

// checkModelFields compares the sizes and options the reference states
// explicitly with those ngs derives from the model, noting any mismatch.
func checkModelFields(s *section, n *notes, gm graphModel) error {
	var e errs
	sizes := []struct {
		name string
		want int
		what string
	}{
		{"input_size", gm.model.psiInputSize(gm.embedding), "psi*'s inputs are fixed by the model"},
		{"input_size_update", 1 + gm.embedding, "phi*'s inputs are u[i] and a[i]"},
		{"output_size", 1, "ngs's MLPs have one output"},
		{"input_size_nnr_f", 3, "omega*'s inputs are x, y and t"},
		{"output_size_nnr_f", 1, "omega* has one output"},
	}
	for _, f := range sizes {
		if !s.has(f.name) {
			continue
		}
		if v := e.int(s, f.name, f.want); e.err == nil && v != f.want {
			n.add(s, f.name, fmt.Sprintf("%s (%d values), not %d", f.what, f.want, v))
		}
	}
	expected := []struct{ name, want, reason string }{
		{"aggr_type", "add", "ngs sums messages (sum_j)"},
		{"update_type", "none", "ngs's phi* is a plain MLP"},
		{"prediction", "first_derivative", "ngs trains on du/dt"},
		{"particle_model_name", "", "particle models have no ngs equivalent"},
		{"mesh_model_name", "", "mesh models have no ngs equivalent"},
	}
	for _, f := range expected {
		if v := e.text(s, f.name, f.want); e.err == nil && v != f.want {
			n.add(s, f.name, fmt.Sprintf("%q is not supported: %s", v, f.reason))
		}
	}
	if s.has("outermost_linear_nnr_f") {
		if linear := e.bool(s, "outermost_linear_nnr_f", true); e.err == nil && !linear {
			n.add(s, "outermost_linear_nnr_f", "ngs's SIREN always ends with a linear layer")
		}
	}
	return e.err
}

// readParams reads the per-type parameter table, one row per type.
func readParams(s *section, model signalModel, types int) ([][]float64, error) {
	rows, ok, err := s.matrix("params")
	if err != nil {
		return nil, err
	}
	path := s.fieldPath("params")
	if !ok {
		return nil, &FieldError{Source: s.source, Line: s.line, Path: path,
			Expected: fmt.Sprintf("one row %v per neuron type", model.columns), Found: "nothing"}
	}
	node := s.values["params"]
	if len(rows) != types {
		return nil, &FieldError{Source: s.source, Line: node.Line, Path: path,
			Expected: fmt.Sprintf("%d rows (n_neuron_types)", types), Found: fmt.Sprintf("%d rows", len(rows))}
	}
	for r, row := range rows {
		if len(row) != len(model.columns) {
			return nil, &FieldError{Source: s.source, Line: node.Content[r].Line, Path: fmt.Sprintf("%s[%d]", path, r),
				Expected: fmt.Sprintf("%d values %v for %s", len(model.columns), model.columns, model.name),
				Found:    fmt.Sprintf("%d values", len(row))}
		}
	}
	return rows, nil
}
