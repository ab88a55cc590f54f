package eqn

import (
	"fmt"
	"sort"
)

// Term is one coupling term of a Sum_j: Receiver(i) · Σ_j W[i,j] · Sender(i,j).
//
// When Grouped is false, Sender reads only sender quantities (and constants
// and t), so the sum is Receiver(i)·(W·S)(i): one matrix-vector product and N
// evaluations of S per step. When Grouped is true, Sender mixes sender
// quantities with the receiver parameters GroupParams (never the receiver's
// state or input); receivers with equal values of those parameters form a
// group g, S_g(j) is evaluated once per group and each row of W is multiplied
// by its group's S_g.
type Term struct {
	// Receiver is the factor R(i) outside the sum (Num(1) when there is none).
	Receiver *Expr
	// Sender is S(j), or the mixed factor M(i,j) when Grouped.
	Sender *Expr
	// Grouped marks a mixed term evaluated per group of receivers.
	Grouped bool
	// GroupParams lists the receiver parameters a grouped Sender reads.
	GroupParams []string
}

// Coupling is the analysis of one Sum_j node: its value is the sum of its
// terms.
type Coupling struct {
	// Sum is the analysed node of the rule.
	Sum *Expr
	// Terms add up to the Sum's value.
	Terms []Term
}

// Analyze finds every Sum_j node of rule and splits its summand into terms
// that cost one matrix-vector product each (see Term). It returns an error
// naming the summand when a term would need N² evaluations per step: no
// W[i,j] factor, W more than once, W inside a function, or a factor mixing
// senders with the receiver's state or input.
func Analyze(rule *Expr) ([]Coupling, error) {
	if err := Validate(rule); err != nil {
		return nil, err
	}
	var out []Coupling
	var firstErr error
	rule.walk(func(n *Expr) {
		if n.Kind != Sum || firstErr != nil {
			return
		}
		terms, err := analyzeSum(n.Args[0])
		if err != nil {
			firstErr = fmt.Errorf("eqn: cannot compute %s as matrix-vector products: %w", n, err)
			return
		}
		out = append(out, Coupling{Sum: n, Terms: terms})
	})
	return out, firstErr
}

// analyzeSum tries the summand as one product first and, failing that,
// distributes products over sums and analyses each resulting term.
func analyzeSum(summand *Expr) ([]Term, error) {
	term, err := analyzeProduct(summand)
	if err == nil {
		return []Term{term}, nil
	}
	parts := expand(summand)
	if len(parts) <= 1 || len(parts) > maxExpandedTerms {
		return nil, err
	}
	terms := make([]Term, 0, len(parts))
	for _, p := range parts {
		t, perr := analyzeProduct(p)
		if perr != nil {
			return nil, fmt.Errorf("in term %s: %w", p, perr)
		}
		terms = append(terms, t)
	}
	return terms, nil
}

// maxExpandedTerms bounds the distribution of products over sums.
const maxExpandedTerms = 16

// deps records what an expression depends on.
type deps struct {
	weights       int
	receiverState bool // u[i] or e[i]
	receiverParam map[string]bool
	sender        bool
}

func dependencies(x *Expr) deps {
	d := deps{receiverParam: map[string]bool{}}
	x.walk(func(n *Expr) {
		switch n.Kind {
		case Weight:
			d.weights++
		case Input:
			d.receiverState = true
		case State:
			if n.Side == Receiver {
				d.receiverState = true
			} else {
				d.sender = true
			}
		case Param:
			if n.Side == Receiver {
				d.receiverParam[n.Name] = true
			} else {
				d.sender = true
			}
		}
	})
	return d
}

func (d deps) receiver() bool { return d.receiverState || len(d.receiverParam) > 0 }

// factor is one multiplicand of a flattened product; inverse marks a divisor.
type factor struct {
	x       *Expr
	inverse bool
}

// flatten splits x into constant coefficient and factors.
func flatten(x *Expr, inverse bool, coef *float64, out *[]factor) {
	switch {
	case x.Kind == Binary && x.Func == Mul:
		flatten(x.Args[0], inverse, coef, out)
		flatten(x.Args[1], inverse, coef, out)
	case x.Kind == Binary && x.Func == Div:
		flatten(x.Args[0], inverse, coef, out)
		flatten(x.Args[1], !inverse, coef, out)
	case x.Kind == Unary && x.Func == Neg:
		*coef = -*coef
		flatten(x.Args[0], inverse, coef, out)
	case x.Kind == Const && x.Value != 0 && inverse:
		*coef /= x.Value
	case x.Kind == Const && !inverse:
		*coef *= x.Value
	default:
		*out = append(*out, factor{x, inverse})
	}
}

// product rebuilds coef · Π factors (divisors as divisions).
func product(coef float64, fs []factor) *Expr {
	var out *Expr
	if coef != 1 || len(fs) == 0 {
		out = Num(coef)
	}
	for _, f := range fs {
		switch {
		case out == nil && f.inverse:
			out = DivE(Num(1), f.x)
		case out == nil:
			out = f.x
		case f.inverse:
			out = DivE(out, f.x)
		default:
			out = Bin(Mul, out, f.x)
		}
	}
	return out
}

// analyzeProduct decides whether a summand is W[i,j]·R(i)·S(j) or
// W[i,j]·R(i)·M(i,j) with M reading receiver parameters only.
func analyzeProduct(summand *Expr) (Term, error) {
	coef := 1.0
	var fs []factor
	flatten(summand, false, &coef, &fs)
	var receiver, sender []factor
	mixed := false
	groupParams := map[string]bool{}
	weightFactors := 0
	for _, f := range fs {
		if f.x.Kind == Weight && !f.inverse {
			weightFactors++
			continue
		}
		d := dependencies(f.x)
		switch {
		case d.weights > 0:
			return Term{}, fmt.Errorf("W[i,j] must be a plain factor of the summand, found inside %s", f.x)
		case d.sender && d.receiverState:
			return Term{}, fmt.Errorf("factor %s mixes senders with the receiver's state or input", f.x)
		case d.sender && d.receiver():
			mixed = true
			for name := range d.receiverParam {
				groupParams[name] = true
			}
			sender = append(sender, f)
		case d.receiver():
			receiver = append(receiver, f)
		default:
			sender = append(sender, f)
		}
	}
	if weightFactors != 1 {
		return Term{}, fmt.Errorf("the summand %s needs W[i,j] exactly once as a factor, found %d", summand, weightFactors)
	}
	t := Term{Receiver: product(1, receiver), Sender: product(coef, sender), Grouped: mixed}
	for name := range groupParams {
		t.GroupParams = append(t.GroupParams, name)
	}
	sort.Strings(t.GroupParams)
	return t, nil
}

// expand distributes products over sums: (a+b)·c → a·c + b·c.
func expand(x *Expr) []*Expr {
	switch {
	case x.Kind == Binary && x.Func == Add:
		return append(expand(x.Args[0]), expand(x.Args[1])...)
	case x.Kind == Binary && x.Func == Sub:
		out := expand(x.Args[0])
		for _, p := range expand(x.Args[1]) {
			out = append(out, NegE(p))
		}
		return out
	case x.Kind == Unary && x.Func == Neg:
		var out []*Expr
		for _, p := range expand(x.Args[0]) {
			out = append(out, NegE(p))
		}
		return out
	case x.Kind == Binary && x.Func == Mul:
		var out []*Expr
		for _, a := range expand(x.Args[0]) {
			for _, b := range expand(x.Args[1]) {
				out = append(out, Bin(Mul, a, b))
			}
		}
		return out
	case x.Kind == Binary && x.Func == Div:
		var out []*Expr
		for _, a := range expand(x.Args[0]) {
			out = append(out, DivE(a, x.Args[1]))
		}
		return out
	}
	return []*Expr{x}
}
