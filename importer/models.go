package importer

import (
	"fmt"
	"sort"
	"strings"
)

// signalModel describes one of the reference's update rules (SPEC §1.1):
// the meaning of a params row, the du/dt equation and ψ*'s inputs (SPEC §2).
type signalModel struct {
	name      string   // the reference's signal_model_name
	columns   []string // parameter names of a params row, in order
	psiInputs []string // inputs of the learned transfer function ψ*
	self      string   // the receiver's own terms, %s is the transfer function's name
	coupling  string   // what sum_j multiplies W[i,j] by
}

// signalModels lists the update rules ngs can import.
var signalModels = map[string]signalModel{
	"PDE_N2": {
		name:      "PDE_N2",
		columns:   []string{"g", "s", "c"},
		psiInputs: []string{"u[j]"},
		self:      "-c*u + s*%s(u)",
		coupling:  "psi(u[j])",
	},
	"PDE_N4": {
		name:      "PDE_N4",
		columns:   []string{"a", "b", "g", "s", "w", "h"},
		psiInputs: []string{"u[j]", "a[j]"},
		self:      "-a*u + b + s*%s(u)",
		coupling:  "psi((u[j] - h[j]) / w[j])",
	},
	"PDE_N5": {
		name:      "PDE_N5",
		columns:   []string{"a", "b", "g", "s", "w", "h"},
		psiInputs: []string{"u[j]", "a[i]", "a[j]"},
		self:      "-a*u + b + s*%s(u)",
		coupling:  "(psi((u[j] - h[j]) / w[i]) - u[j] * log(w[j]) / 50)",
	},
}

// lookupModel finds a model by the reference's name.
func lookupModel(name string) (signalModel, error) {
	if m, ok := signalModels[name]; ok {
		return m, nil
	}
	known := make([]string, 0, len(signalModels))
	for k := range signalModels {
		known = append(known, k)
	}
	sort.Strings(known)
	return signalModel{}, fmt.Errorf("unknown signal model %q: ngs imports %s", name, strings.Join(known, ", "))
}

// equation writes du/dt for the model; transfer is the name of the
// transfer function (tanh), mode the external input's mode.
func (m signalModel) equation(transfer, mode string) string {
	self := fmt.Sprintf(m.self, transfer)
	sum := "sum_j W[i,j] * " + m.coupling
	switch mode {
	case "multiplicative":
		return fmt.Sprintf("du/dt = %s + g * e * %s", self, sum)
	case "additive":
		return fmt.Sprintf("du/dt = %s + g * %s + e", self, sum)
	}
	return fmt.Sprintf("du/dt = %s + g * %s", self, sum)
}

// psiInputSize is the number of scalar inputs of ψ* for an embedding of dim d.
func (m signalModel) psiInputSize(d int) int {
	n := 0
	for _, in := range m.psiInputs {
		if strings.HasPrefix(in, "a[") {
			n += d
		} else {
			n++
		}
	}
	return n
}
