package symreg

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// The canonical form used by SameForm: a sum of products of powers of atoms.
// Sums carry their constant term, products their coefficient, so that two
// formulas that differ only in the values of their constants have the same
// signature (the canonical text with every constant printed as C).

// cSum is c0 + Σ terms.
type cSum struct {
	c0    float64
	terms []cProd
}

// cProd is coef · Π factors.
type cProd struct {
	coef    float64
	factors []cFactor
}

// cFactor is atom^pow.
type cFactor struct {
	atom cAtom
	pow  float64
}

// cAtom is a variable, a function call, or a parenthesised sum raised to a
// power (such as the denominator of a ratio).
type cAtom struct {
	name  string // variable or function name; "" for a group
	isVar bool
	args  []cSum
}

// canonical converts a tree into its canonical sum.
func canonical(n *Node, names []string) cSum {
	switch n.Kind {
	case ConstNode:
		return cSum{c0: n.Value}
	case VarNode:
		return atomSum(cAtom{name: names[n.Var], isVar: true}, 1)
	case UnaryNode:
		return callSum(n.Op, canonical(n.L, names))
	}
	a, b := canonical(n.L, names), canonical(n.R, names)
	switch n.Op.code {
	case opAdd:
		return addSums(a, b, 1)
	case opSub:
		return addSums(a, b, -1)
	case opMul:
		return mulSums(a, b)
	case opDiv:
		return mulSums(a, powSum(b, -1))
	case opPow:
		if len(b.terms) == 0 && b.c0 == math.Trunc(b.c0) && math.Abs(b.c0) <= 6 {
			return powSum(a, b.c0)
		}
	}
	return atomSum(cAtom{name: n.Op.Name, args: []cSum{a, b}}, 1)
}

// callSum is op(arg), with the sign of a negated argument taken outside an
// odd function (tanh, sin) and dropped inside an even one (cos).
func callSum(op *Operator, arg cSum) cSum {
	if arg.c0 == 0 && len(arg.terms) == 1 && arg.terms[0].coef < 0 {
		switch op.code {
		case opTanh, opSin, opCos:
			arg.terms = []cProd{{coef: -arg.terms[0].coef, factors: arg.terms[0].factors}}
			s := atomSum(cAtom{name: op.Name, args: []cSum{arg}}, 1)
			if op.code != opCos {
				s.terms[0].coef = -1
			}
			return s
		}
	}
	return atomSum(cAtom{name: op.Name, args: []cSum{arg}}, 1)
}

func atomSum(a cAtom, pow float64) cSum {
	return cSum{terms: []cProd{{coef: 1, factors: []cFactor{{atom: a, pow: pow}}}}}
}

// addSums returns a + sign·b with like terms merged.
func addSums(a, b cSum, sign float64) cSum {
	out := cSum{c0: a.c0 + sign*b.c0}
	out.terms = append(out.terms, a.terms...)
	for _, t := range b.terms {
		t.coef *= sign
		out.terms = append(out.terms, t)
	}
	return normaliseSum(out)
}

// mulSums distributes the product of two sums.
func mulSums(a, b cSum) cSum {
	out := cSum{c0: a.c0 * b.c0}
	for _, t := range a.terms {
		if b.c0 != 0 {
			out.terms = append(out.terms, cProd{coef: t.coef * b.c0, factors: t.factors})
		}
		for _, u := range b.terms {
			out.terms = append(out.terms, cProd{coef: t.coef * u.coef,
				factors: append(append([]cFactor(nil), t.factors...), u.factors...)})
		}
	}
	for _, u := range b.terms {
		if a.c0 != 0 {
			out.terms = append(out.terms, cProd{coef: u.coef * a.c0, factors: u.factors})
		}
	}
	return normaliseSum(out)
}

// powSum raises a sum to an integer power: exactly for a constant or a single
// product, as a group atom otherwise.
func powSum(a cSum, p float64) cSum {
	switch {
	case len(a.terms) == 0:
		return cSum{c0: math.Pow(a.c0, p)}
	case p >= 2 && p <= 4 && p == math.Trunc(p):
		out := a
		for i := 1; i < int(p); i++ {
			out = mulSums(out, a)
		}
		return out
	case len(a.terms) == 1 && a.c0 == 0:
		t := a.terms[0]
		out := cProd{coef: math.Pow(t.coef, p)}
		for _, f := range t.factors {
			out.factors = append(out.factors, cFactor{atom: f.atom, pow: f.pow * p})
		}
		return normaliseSum(cSum{terms: []cProd{out}})
	}
	return groupPow(a, p)
}

// groupPow is (a)^p for a sum a of several terms, scaled so that its
// constant term (or else its first coefficient) is 1: 2/(2 + 2u²) and
// 1/(1 + u²) get the same group.
func groupPow(a cSum, p float64) cSum {
	k := a.c0
	if k == 0 {
		k = a.terms[0].coef
	}
	scaled := cSum{c0: a.c0 / k}
	for _, t := range a.terms {
		scaled.terms = append(scaled.terms, cProd{coef: t.coef / k, factors: t.factors})
	}
	out := atomSum(cAtom{args: []cSum{scaled}}, p)
	out.terms[0].coef = math.Pow(k, p)
	return out
}

// normaliseSum merges equal factors and like terms, drops zero terms and
// sorts, so that equal formulas get equal text.
func normaliseSum(s cSum) cSum {
	merged := map[string]int{}
	var out []cProd
	for _, t := range s.terms {
		t = normaliseProd(t)
		if t.coef == 0 {
			continue
		}
		if len(t.factors) == 0 {
			s.c0 += t.coef
			continue
		}
		key := prodKey(cProd{coef: 1, factors: t.factors}, false)
		if i, ok := merged[key]; ok {
			out[i].coef += t.coef
			continue
		}
		merged[key] = len(out)
		out = append(out, t)
	}
	kept := out[:0]
	for _, t := range out {
		if t.coef != 0 {
			kept = append(kept, t)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return termLess(kept[i], kept[j]) })
	return cSum{c0: s.c0, terms: kept}
}

// normaliseProd merges repeated atoms into powers and sorts the factors.
func normaliseProd(t cProd) cProd {
	idx := map[string]int{}
	var fs []cFactor
	for _, f := range t.factors {
		k := atomKey(f.atom, false)
		if i, ok := idx[k]; ok {
			fs[i].pow += f.pow
			continue
		}
		idx[k] = len(fs)
		fs = append(fs, f)
	}
	kept := fs[:0]
	for _, f := range fs {
		if f.pow != 0 {
			kept = append(kept, expPower(f))
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		si, sj := atomKey(kept[i].atom, true), atomKey(kept[j].atom, true)
		if si != sj {
			return si < sj
		}
		return atomKey(kept[i].atom, false) < atomKey(kept[j].atom, false)
	})
	return cProd{coef: t.coef, factors: kept}
}

// expPower rewrites exp(x)^p as exp(p·x).
func expPower(f cFactor) cFactor {
	if f.pow == 1 || f.atom.isVar || f.atom.name != "exp" {
		return f
	}
	arg := mulSums(cSum{c0: f.pow}, f.atom.args[0])
	return cFactor{atom: cAtom{name: "exp", args: []cSum{arg}}, pow: 1}
}

func termLess(a, b cProd) bool {
	sa, sb := prodKey(a, true), prodKey(b, true)
	if sa != sb {
		return sa < sb
	}
	return prodKey(a, false) < prodKey(b, false)
}

// sumKey, prodKey and atomKey print canonical parts; with sig true every
// constant prints as C (the coefficient of a product is always shown).
func sumKey(s cSum, sig bool) string {
	var parts []string
	for _, t := range s.terms {
		parts = append(parts, prodKey(t, sig))
	}
	if s.c0 != 0 || len(parts) == 0 {
		parts = append(parts, num(s.c0, sig))
	}
	return strings.Join(parts, " + ")
}

func prodKey(t cProd, sig bool) string {
	parts := []string{num(t.coef, sig)}
	for _, f := range t.factors {
		p := atomKey(f.atom, sig)
		if f.pow != 1 {
			p += "^" + fmt.Sprint(f.pow)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "*")
}

func atomKey(a cAtom, sig bool) string {
	if a.isVar {
		return a.name
	}
	var args []string
	for _, s := range a.args {
		args = append(args, sumKey(s, sig))
	}
	return a.name + "(" + strings.Join(args, ", ") + ")"
}

func num(v float64, sig bool) string {
	if sig {
		return "C"
	}
	return fmt.Sprintf("%.6g", v)
}

// constantsOf lists the constants of a canonical sum in the order its
// signature prints them.
func constantsOf(s cSum, out []float64) []float64 {
	for _, t := range s.terms {
		out = append(out, t.coef)
		for _, f := range t.factors {
			for _, a := range f.atom.args {
				out = constantsOf(a, out)
			}
		}
	}
	if s.c0 != 0 || len(s.terms) == 0 {
		out = append(out, s.c0)
	}
	return out
}

// Signature is the canonical form of e with every constant printed as C:
// tanh(u/4.0) and 0.99*tanh(0.26*u) both give "C*tanh(C*u)".
func Signature(e *Expr) string {
	return sumKey(canonical(e.Root, e.Names), true)
}

// SameForm reports whether a and b have the same canonical form (sums of
// products after expanding, with constant factors and divisions by constants
// folded into coefficients) and every pair of corresponding constants agrees
// within the relative tolerance relTol.
func SameForm(a, b *Expr, relTol float64) bool {
	ca, cb := canonical(a.Root, a.Names), canonical(b.Root, b.Names)
	if sumKey(ca, true) != sumKey(cb, true) {
		return false
	}
	ka, kb := constantsOf(ca, nil), constantsOf(cb, nil)
	if len(ka) != len(kb) {
		return false
	}
	for i := range ka {
		if math.Abs(ka[i]-kb[i]) > relTol*math.Max(math.Abs(ka[i]), math.Abs(kb[i]))+1e-9 {
			return false
		}
	}
	return true
}
