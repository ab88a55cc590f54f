package symreg

import "testing"

func TestSmoke(t *testing.T) {
	for _, c := range []formulaCase{case1("tanh(u)"), case1("-2*u + tanh(u)"), case1("tanh(u/4)"), case1("tanh(u/3.3)"), case1("u/(1+u^2)"), case2("tanh(u/a)"), case2("u*a")} {
		o := recoverFormula(t, c, 0, 0.01, Options{Seed: 1})
		t.Logf("%-20s -> %-40s same=%v R2=%.6f %v", c.target, o.best, o.sameForm, o.heldR2, o.elapsed)
	}
}
