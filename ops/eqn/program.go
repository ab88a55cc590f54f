package eqn

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Binding gives a rule its network: the number of neurons and the value of
// every parameter for every neuron (per-type values repeated per neuron).
type Binding struct {
	N      int
	Params map[string][]float32
}

// maxGroups bounds the receiver groups of a mixed term: beyond it the
// per-group evaluation approaches N² work and compilation fails instead.
const maxGroups = 256

// BoundTerm is a Term bound to a network, with the buffers the caller fills
// between Program.EvalSenders and Program.EvalReceivers:
// Coupled[i] = Σ_{j≠i} W[i,j]·Senders[GroupOf[i]][j].
type BoundTerm struct {
	Term
	// GroupOf maps each receiver to its group; nil when the term is not
	// grouped (every receiver uses Senders[0]).
	GroupOf []int32
	// Senders holds S_g(j) per group g, each of length N, filled by EvalSenders.
	Senders [][]float32
	// Coupled is the term's matrix-vector product, length N, filled by the caller.
	Coupled []float32

	senderRegs []int
}

// Group returns the sender vector used by receiver i.
func (t *BoundTerm) Group(i int) []float32 {
	if t.GroupOf == nil {
		return t.Senders[0]
	}
	return t.Senders[t.GroupOf[i]]
}

// Program is a rule compiled for one network: a straight-line float32 code
// over reusable length-N registers, with common subexpressions shared (also
// between the receiver and sender sides: tanh(u[i]) and tanh(u[j]) are the
// same vector). Evaluating it allocates nothing. A step is
// EvalSenders, then filling every term's Coupled, then EvalReceivers, all with
// the same u, e and t. A Program is not safe for concurrent use.
type Program struct {
	n            int
	regs         [][]float32
	scalar       []bool
	senderCode   []instr
	receiverCode []instr
	uReg, eReg   int
	tReg, out    int
	terms        []*BoundTerm
	couplings    []Coupling
	senderBuf    []float32
	coupledBuf   []float32
}

// layoutBuffers places every term's sender vectors in one contiguous buffer
// (term by term, group by group) and the Coupled vectors in another.
func (p *Program) layoutBuffers() {
	groups := 0
	for _, bt := range p.terms {
		groups += len(bt.Senders)
	}
	p.senderBuf = make([]float32, groups*p.n)
	p.coupledBuf = make([]float32, len(p.terms)*p.n)
	g := 0
	for k, bt := range p.terms {
		for s := range bt.Senders {
			bt.Senders[s] = p.senderBuf[g*p.n : (g+1)*p.n : (g+1)*p.n]
			g++
		}
		bt.Coupled = p.coupledBuf[k*p.n : (k+1)*p.n : (k+1)*p.n]
	}
}

// SenderBuffer returns all sender vectors back to back, term by term and
// group by group (each N long), as filled by EvalSenders.
func (p *Program) SenderBuffer() []float32 { return p.senderBuf }

// CoupledBuffer returns all terms' Coupled vectors back to back (each N
// long); EvalReceivers reads them.
func (p *Program) CoupledBuffer() []float32 { return p.coupledBuf }

type opcode int

const (
	opUnary opcode = iota
	opBinary
	opCopy
)

type instr struct {
	op        opcode
	fn        Func
	dst, a, b int
}

// Compile analyses rule (see Analyze) and compiles it for the network b.
func Compile(rule *Expr, b Binding) (*Program, error) {
	if b.N <= 0 {
		return nil, fmt.Errorf("eqn: network needs at least one neuron, found N = %d", b.N)
	}
	couplings, err := Analyze(rule)
	if err != nil {
		return nil, err
	}
	c := newCompiler(b)
	p := c.p
	p.couplings = couplings
	c.code = &p.senderCode
	for _, cp := range couplings {
		for _, t := range cp.Terms {
			bt, err := c.bindTerm(t)
			if err != nil {
				return nil, err
			}
			p.terms = append(p.terms, bt)
		}
	}
	p.layoutBuffers()
	c.code = &p.receiverCode
	out, err := c.compile(rule)
	if err != nil {
		return nil, err
	}
	p.out = c.vector(out)
	return p, nil
}

// N returns the number of neurons the program was compiled for.
func (p *Program) N() int { return p.n }

// Terms returns the coupling terms in rule order; their buffers are the
// program's own and stay valid for its lifetime.
func (p *Program) Terms() []*BoundTerm { return p.terms }

// Couplings returns the analysis of the rule's Sum nodes.
func (p *Program) Couplings() []Coupling { return p.couplings }

// EvalSenders evaluates every term's sender vectors for state u, input e
// (nil means 1 for every neuron) and time t.
func (p *Program) EvalSenders(u, e []float32, t float64) {
	p.bind(u, e, t)
	p.run(p.senderCode)
	for _, bt := range p.terms {
		for g, r := range bt.senderRegs {
			copy(bt.Senders[g], p.regs[r])
		}
	}
}

// EvalReceivers evaluates du/dt into du, reading every term's Coupled. It
// must follow EvalSenders with the same u, e and t.
func (p *Program) EvalReceivers(du, u, e []float32, t float64) {
	p.bind(u, e, t)
	p.run(p.receiverCode)
	copy(du, p.regs[p.out])
}

// Derivative evaluates du/dt for all neurons serially, with the weights w
// (N×N row-major, receiver rows). The diagonal of w is ignored (j ≠ i).
func (p *Program) Derivative(du, u, e []float32, t float64, w []float32) {
	p.EvalSenders(u, e, t)
	for _, bt := range p.terms {
		for i := 0; i < p.n; i++ {
			s := bt.Group(i)
			row := w[i*p.n : (i+1)*p.n]
			var acc float32
			for j, wij := range row {
				acc += wij * s[j]
			}
			bt.Coupled[i] = acc - row[i]*s[i]
		}
	}
	p.EvalReceivers(du, u, e, t)
}

func (p *Program) bind(u, e []float32, t float64) {
	p.regs[p.uReg] = u
	if e != nil {
		p.regs[p.eReg] = e
	} else {
		p.regs[p.eReg] = p.regs[p.eReg+1]
	}
	p.regs[p.tReg][0] = float32(t)
}

func (p *Program) run(code []instr) {
	for _, in := range code {
		dst := p.regs[in.dst]
		switch in.op {
		case opUnary:
			applyUnary(in.fn, dst, p.regs[in.a])
		case opBinary:
			applyBinary(in.fn, dst, p.regs[in.a], p.regs[in.b], p.scalar[in.a], p.scalar[in.b])
		case opCopy:
			src := p.regs[in.a]
			if p.scalar[in.a] {
				for k := range dst {
					dst[k] = src[0]
				}
			} else {
				copy(dst, src)
			}
		}
	}
}

// compiler turns expressions into instructions with shared subexpressions.
type compiler struct {
	p       *Program
	params  map[string][]float32
	memo    map[string]int
	code    *[]instr
	group   map[string]float32 // receiver parameter values while compiling a group
	sumRegs map[*Expr]int
}

func newCompiler(b Binding) *compiler {
	p := &Program{n: b.N}
	c := &compiler{p: p, params: b.Params, memo: map[string]int{}, sumRegs: map[*Expr]int{}}
	p.uReg = c.newReg(false)
	p.eReg = c.newReg(false)
	ones := c.newReg(false) // default input: 1 everywhere (eReg+1)
	for k := range p.regs[ones] {
		p.regs[ones][k] = 1
	}
	p.tReg = c.newReg(true)
	return c
}

func (c *compiler) newReg(scalar bool) int {
	size := c.p.n
	if scalar {
		size = 1
	}
	c.p.regs = append(c.p.regs, make([]float32, size))
	c.p.scalar = append(c.p.scalar, scalar)
	return len(c.p.regs) - 1
}

// vector returns r, or a fresh vector register holding r broadcast.
func (c *compiler) vector(r int) int {
	if !c.p.scalar[r] && r != c.p.uReg && r != c.p.eReg {
		return r
	}
	d := c.newReg(false)
	*c.code = append(*c.code, instr{op: opCopy, dst: d, a: r})
	return d
}

func (c *compiler) constant(v float64) int {
	key := "c" + strconv.FormatFloat(v, 'g', -1, 64)
	if r, ok := c.memo[key]; ok {
		return r
	}
	r := c.newReg(true)
	c.p.regs[r][0] = float32(v)
	c.memo[key] = r
	return r
}

func (c *compiler) param(x *Expr) (int, error) {
	if x.Side == Receiver && c.group != nil {
		if v, ok := c.group[x.Name]; ok {
			return c.constant(float64(v)), nil
		}
	}
	vals, ok := c.params[x.Name]
	if !ok {
		return 0, fmt.Errorf("eqn: parameter %q is not defined; defined: %v", x.Name, sortedKeys(c.params))
	}
	if len(vals) != c.p.n {
		return 0, fmt.Errorf("eqn: parameter %q has %d values, expected one per neuron (%d)", x.Name, len(vals), c.p.n)
	}
	key := "p" + x.Name
	if r, ok := c.memo[key]; ok {
		return r, nil
	}
	r := c.newReg(false)
	copy(c.p.regs[r], vals)
	c.memo[key] = r
	return r, nil
}

func (c *compiler) compile(x *Expr) (int, error) {
	switch x.Kind {
	case Const:
		return c.constant(x.Value), nil
	case Time:
		return c.p.tReg, nil
	case State:
		return c.p.uReg, nil
	case Input:
		return c.p.eReg, nil
	case Param:
		return c.param(x)
	case Sum:
		return c.sum(x)
	case Weight:
		return 0, fmt.Errorf("eqn: W[i,j] cannot be evaluated per neuron")
	}
	args := make([]int, len(x.Args))
	for k, a := range x.Args {
		r, err := c.compile(a)
		if err != nil {
			return 0, err
		}
		args[k] = r
	}
	in := instr{op: opUnary, fn: x.Func, a: args[0]}
	scalar := c.p.scalar[args[0]]
	key := fmt.Sprintf("u%d,%d", x.Func, args[0])
	if x.Kind == Binary {
		in.op, in.b = opBinary, args[1]
		scalar = scalar && c.p.scalar[args[1]]
		key = fmt.Sprintf("b%d,%d,%d", x.Func, args[0], args[1])
	}
	if r, ok := c.memo[key]; ok {
		return r, nil
	}
	in.dst = c.newReg(scalar)
	*c.code = append(*c.code, in)
	c.memo[key] = in.dst
	return in.dst, nil
}

// sum compiles a Sum node as Σ_terms Receiver(i)·Coupled(i).
func (c *compiler) sum(x *Expr) (int, error) {
	if r, ok := c.sumRegs[x]; ok {
		return r, nil
	}
	k := 0
	for _, cp := range c.p.couplings {
		if cp.Sum == x {
			break
		}
		k += len(cp.Terms)
	}
	total := -1
	for _, cp := range c.p.couplings {
		if cp.Sum != x {
			continue
		}
		for range cp.Terms {
			bt := c.p.terms[k]
			k++
			recv, err := c.compile(bt.Receiver)
			if err != nil {
				return 0, err
			}
			coupled := c.newReg(false)
			c.p.regs[coupled] = bt.Coupled
			term := c.emit(Mul, recv, coupled)
			if total >= 0 {
				term = c.emit(Add, total, term)
			}
			total = term
		}
	}
	c.sumRegs[x] = total
	return total, nil
}

func (c *compiler) emit(f Func, a, b int) int {
	d := c.newReg(false)
	*c.code = append(*c.code, instr{op: opBinary, fn: f, dst: d, a: a, b: b})
	return d
}

// bindTerm compiles a term's sender side, once per receiver group.
func (c *compiler) bindTerm(t Term) (*BoundTerm, error) {
	bt := &BoundTerm{Term: t}
	reps := []int{0}
	if t.Grouped {
		var err error
		bt.GroupOf, reps, err = c.groups(t.GroupParams)
		if err != nil {
			return nil, err
		}
	}
	for _, rep := range reps {
		c.group = nil
		if t.Grouped {
			c.group = map[string]float32{}
			for _, name := range t.GroupParams {
				c.group[name] = c.params[name][rep]
			}
		}
		r, err := c.compile(t.Sender)
		c.group = nil
		if err != nil {
			return nil, err
		}
		bt.senderRegs = append(bt.senderRegs, r)
		bt.Senders = append(bt.Senders, nil) // placed by layoutBuffers
	}
	return bt, nil
}

// groups assigns receivers to groups of equal values of the named parameters
// and returns a representative receiver per group.
func (c *compiler) groups(names []string) ([]int32, []int, error) {
	for _, name := range names {
		if vals, ok := c.params[name]; !ok || len(vals) != c.p.n {
			_, err := c.param(P(name, Receiver))
			return nil, nil, err
		}
	}
	of := make([]int32, c.p.n)
	index := map[string]int32{}
	var reps []int
	for i := 0; i < c.p.n; i++ {
		key := ""
		for _, name := range names {
			key += strconv.FormatUint(uint64(math.Float32bits(c.params[name][i])), 16) + ","
		}
		g, ok := index[key]
		if !ok {
			g = int32(len(reps))
			index[key] = g
			reps = append(reps, i)
		}
		of[i] = g
	}
	if len(reps) > maxGroups {
		return nil, nil, fmt.Errorf("eqn: receiver parameters %v take %d distinct values; a mixed sum_j term groups receivers by them and allows at most %d groups", names, len(reps), maxGroups)
	}
	return of, reps, nil
}

func sortedKeys(m map[string][]float32) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
