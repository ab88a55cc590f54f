package symreg

import (
	"math"
	"sort"
)

// individual is one member of a population.
type individual struct {
	root      *Node
	loss      float64 // normalised
	fitness   float64 // loss + parsimony·size; lower is better
	birth     int     // for replacing the oldest member
	optimized bool    // constants already refined by BFGS
}

// population is an island of the genetic search.
type population struct {
	members []individual
}

// tournamentSize is the number of members compared per selection.
const tournamentSize = 6

// stallGenerations ends the genetic stage when no formula improved its
// complexity's best loss by more than 1 % for this many generations.
const stallGenerations = 10

// exactGraceGenerations is how long the search goes on after a formula
// fits exactly, looking for a simpler exact one.
const exactGraceGenerations = 3

// optimizePerGeneration is how many of an island's fittest members get
// their constants refined by BFGS each generation.
const optimizePerGeneration = 1

// maxDepth bounds the depth of evolved trees.
const maxDepth = 10

// geneticStage runs stage 2: islands evolved by regularised evolution
// (tournament selection, mutation, crossover, replacement of the oldest),
// constants of the fittest refined by BFGS each generation, and migration
// from the hall of fame. It stops at the generation limit, at the budget, or
// a few generations after a formula first fits exactly.
func (s *search) geneticStage() {
	if len(s.ops.Unary)+len(s.ops.Binary) == 0 {
		return
	}
	pops := make([]*population, s.opts.Populations)
	birth := 0
	for i := range pops {
		pops[i] = s.seedPopulation(&birth, i%2 == 0)
	}
	lastProgress, progress, exactSince := 0, s.hof.progress, -1
	for gen := 0; gen < s.opts.Generations && gen-lastProgress < stallGenerations; gen++ {
		if s.hof.progress != progress {
			lastProgress, progress = gen, s.hof.progress
		}
		if exactSince < 0 && s.hof.minLoss() < lossFloor {
			exactSince = gen
		}
		if exactSince >= 0 && gen-exactSince >= exactGraceGenerations {
			return
		}
		for _, pop := range pops {
			s.evolve(pop, &birth)
			s.optimizeBest(pop)
			if s.expired() {
				return
			}
		}
		if gen%5 == 4 {
			s.migrate(pops, &birth)
		}
	}
}

// seedPopulation fills an island with random trees, after the current
// front when withFront is set (half of the islands start from random trees
// only, so that stage 1's good approximations do not crowd out new shapes).
func (s *search) seedPopulation(birth *int, withFront bool) *population {
	pop := &population{}
	if withFront {
		for _, e := range s.hof.front() {
			pop.members = append(pop.members, s.score(e.root.clone(), birth))
		}
	}
	for len(pop.members) < s.opts.PopulationSize {
		pop.members = append(pop.members, s.score(s.randomTree(1+s.rng.IntN(4)), birth))
	}
	return pop
}

// score evaluates a tree, offers it and its linearly scaled version a + b·f
// to the hall of fame, and wraps it. Its fitness is that of the scaled
// version (Keijzer's linear scaling), so that evolution works on shapes and
// least squares supplies the outer offset and scale.
func (s *search) score(root *Node, birth *int) individual {
	d := s.data
	d.ev.run(compile(root), d.cols, d.out)
	loss := d.residualLoss(d.out)
	s.offer(root, loss)
	a, b, scaledLoss := linearScaling(d.out, d.y, d.varY)
	if scaledLoss < loss && s.improvesFront(root.size()+4, scaledLoss) {
		scaled := simplifyNode(binary(addOp, binary(mulOp, constant(b), root.clone()), constant(a)))
		s.offer(scaled, d.treeLoss(scaled))
		if k := scaleOnly(d.out, d.y); finite(k) {
			scaled := simplifyNode(binary(mulOp, constant(k), root.clone()))
			s.offer(scaled, d.treeLoss(scaled))
		}
	}
	*birth++
	return individual{root: root, loss: loss, fitness: s.fitness(math.Min(loss, scaledLoss), root.size()), birth: *birth}
}

// improvesFront reports whether a formula of at most this size and loss
// could enter the hall of fame.
func (s *search) improvesFront(size int, loss float64) bool {
	for c := 1; c <= size && c < len(s.hof.best); c++ {
		if e := s.hof.best[c]; e.root != nil && e.loss <= loss {
			return false
		}
	}
	return finite(loss)
}

// scaleOnly is the least-squares k of y ≈ k·f.
func scaleOnly(f, y []float64) float64 {
	var fy, ff float64
	for i := range f {
		fy += f[i] * y[i]
		ff += f[i] * f[i]
	}
	return fy / ff
}

// linearScaling returns the least-squares a, b of y ≈ a + b·f and the
// normalised loss of that fit (+Inf when f is not finite).
func linearScaling(f, y []float64, varY float64) (a, b, loss float64) {
	n := float64(len(f))
	var mf, my float64
	for i := range f {
		mf += f[i]
		my += y[i]
	}
	mf /= n
	my /= n
	var sff, sfy float64
	for i := range f {
		sff += (f[i] - mf) * (f[i] - mf)
		sfy += (f[i] - mf) * (y[i] - my)
	}
	if !finite(sff) || !finite(sfy) {
		return 0, 1, math.Inf(1)
	}
	if sff <= 1e-300 {
		return my, 0, 1
	}
	b = sfy / sff
	a = my - b*mf
	loss = 1 - sfy*sfy/(sff*varY*n)
	return a, b, math.Max(loss, 0)
}

func (s *search) fitness(loss float64, size int) float64 {
	if !finite(loss) {
		return math.Inf(1)
	}
	return loss + s.opts.Parsimony*float64(size)
}

// evolve makes one generation: as many children as members, each replacing
// the oldest member.
func (s *search) evolve(pop *population, birth *int) {
	for range pop.members {
		if s.expired() {
			return
		}
		child := s.offspring(pop)
		if child == nil || child.size() > s.opts.MaxSize || child.depth() > maxDepth {
			continue
		}
		pop.members[oldest(pop)] = s.score(child, birth)
	}
}

// offspring produces one child by crossover or mutation of tournament winners.
func (s *search) offspring(pop *population) *Node {
	parent := s.tournament(pop).root.clone()
	r := s.rng.Float64()
	switch {
	case r < 0.2:
		return s.crossover(parent, s.tournament(pop).root)
	case r < 0.4:
		return s.mutateConstant(parent)
	case r < 0.55:
		return s.mutateOperator(parent)
	case r < 0.7:
		return s.replaceSubtree(parent)
	case r < 0.8:
		return s.insertNode(parent)
	case r < 0.9:
		return s.hoist(parent)
	case r < 0.95:
		return simplifyNode(parent)
	}
	return s.mutateLeaf(parent)
}

// tournament returns the fittest of a few random members (a random one of
// them with probability 0.1, to keep diversity).
func (s *search) tournament(pop *population) *individual {
	var best *individual
	var pick *individual
	for i := 0; i < tournamentSize; i++ {
		m := &pop.members[s.rng.IntN(len(pop.members))]
		if i == 0 {
			pick = m
		}
		if best == nil || m.fitness < best.fitness {
			best = m
		}
	}
	if s.rng.Float64() < 0.1 {
		return pick
	}
	return best
}

func oldest(pop *population) int {
	o := 0
	for i, m := range pop.members {
		if m.birth < pop.members[o].birth {
			o = i
		}
	}
	return o
}

// optimizeBest refines the constants of the island's fittest members that
// have constants and have not been refined yet.
func (s *search) optimizeBest(pop *population) {
	order := make([]int, len(pop.members))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return pop.members[order[a]].fitness < pop.members[order[b]].fitness
	})
	done := 0
	for _, i := range order {
		if done == optimizePerGeneration || s.expired() {
			return
		}
		m := &pop.members[i]
		if m.optimized {
			continue
		}
		m.optimized = true
		done++
		s.data.ev.run(compile(m.root), s.data.cols, s.data.out)
		if a, b, l := linearScaling(s.data.out, s.data.y, s.data.varY); l < m.loss {
			m.root = simplifyNode(binary(addOp, binary(mulOp, constant(b), m.root), constant(a)))
		}
		s.data.fitConstants(m.root, 1, s.rng)
		m.root, m.loss = s.data.tidy(m.root)
		m.fitness = s.fitness(m.loss, m.root.size())
		s.offer(m.root, m.loss)
	}
}

// migrate replaces a few of each island's least fit members by members of
// the hall of fame's front, chosen at random.
func (s *search) migrate(pops []*population, birth *int) {
	front := s.hof.front()
	if len(front) == 0 {
		return
	}
	for _, pop := range pops {
		order := make([]int, len(pop.members))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			return pop.members[order[a]].fitness > pop.members[order[b]].fitness
		})
		for k := 0; k < 3 && k < len(order); k++ {
			e := front[s.rng.IntN(len(front))]
			ind := individual{root: e.root.clone(), loss: e.loss, fitness: s.fitness(e.loss, e.root.size()), optimized: true}
			*birth++
			ind.birth = *birth
			pop.members[order[k]] = ind
		}
	}
}

// randomLeaf is a variable (60 %) or a random constant.
func (s *search) randomLeaf() *Node {
	if s.rng.Float64() < 0.6 {
		return variable(s.rng.IntN(len(s.data.cols)))
	}
	return constant(s.randomConstant())
}

func (s *search) randomConstant() float64 {
	if s.rng.Float64() < 0.3 {
		return float64(s.rng.IntN(5) + 1)
	}
	return math.Round(s.rng.NormFloat64()*2*1000) / 1000
}

// randomTree grows a random tree of at most the given depth.
func (s *search) randomTree(depth int) *Node {
	if depth <= 1 || s.rng.Float64() < 0.3 {
		return s.randomLeaf()
	}
	nu, nb := len(s.ops.Unary), len(s.ops.Binary)
	if nb == 0 || (nu > 0 && s.rng.Float64() < 0.35) {
		return unary(s.ops.Unary[s.rng.IntN(nu)], s.randomTree(depth-1))
	}
	return binary(s.ops.Binary[s.rng.IntN(nb)], s.randomTree(depth-1), s.randomTree(depth-1))
}

// pick returns a uniformly random node of the tree and a setter that
// replaces it.
func (s *search) pick(root **Node) (*Node, func(*Node)) {
	var slots []**Node
	var walk func(p **Node)
	walk = func(p **Node) {
		slots = append(slots, p)
		if (*p).L != nil {
			walk(&(*p).L)
		}
		if (*p).R != nil {
			walk(&(*p).R)
		}
	}
	walk(root)
	slot := slots[s.rng.IntN(len(slots))]
	return *slot, func(n *Node) { *slot = n }
}

func (s *search) crossover(a, b *Node) *Node {
	_, set := s.pick(&a)
	b = b.clone()
	donor, _ := s.pick(&b)
	set(donor)
	return a
}

func (s *search) mutateConstant(root *Node) *Node {
	var consts []*Node
	for _, c := range root.constants(nil) {
		if !c.fixed {
			consts = append(consts, c)
		}
	}
	if len(consts) == 0 {
		return s.mutateLeaf(root)
	}
	c := consts[s.rng.IntN(len(consts))]
	if s.rng.Float64() < 0.5 {
		c.Value *= 1 + 0.5*s.rng.NormFloat64()
	} else {
		c.Value += s.rng.NormFloat64()
	}
	return root
}

func (s *search) mutateOperator(root *Node) *Node {
	n, _ := s.pick(&root)
	switch n.Kind {
	case UnaryNode:
		if len(s.ops.Unary) > 0 {
			n.Op = s.ops.Unary[s.rng.IntN(len(s.ops.Unary))]
		}
	case BinaryNode:
		n.Op = s.ops.Binary[s.rng.IntN(len(s.ops.Binary))]
	default:
		return s.mutateLeaf(root)
	}
	return root
}

func (s *search) mutateLeaf(root *Node) *Node {
	_, set := s.pick(&root)
	leaf := s.randomLeaf()
	if root.Kind == ConstNode || root.Kind == VarNode {
		return leaf
	}
	set(leaf)
	return root
}

func (s *search) replaceSubtree(root *Node) *Node {
	_, set := s.pick(&root)
	set(s.randomTree(1 + s.rng.IntN(3)))
	return root
}

// insertNode wraps a random node in a new operator.
func (s *search) insertNode(root *Node) *Node {
	n, set := s.pick(&root)
	nu, nb := len(s.ops.Unary), len(s.ops.Binary)
	var wrapped *Node
	switch {
	case nu > 0 && (nb == 0 || s.rng.Float64() < 0.4):
		wrapped = unary(s.ops.Unary[s.rng.IntN(nu)], n)
	case nb > 0 && s.rng.Float64() < 0.5:
		wrapped = binary(s.ops.Binary[s.rng.IntN(nb)], n, s.randomLeaf())
	case nb > 0:
		wrapped = binary(s.ops.Binary[s.rng.IntN(nb)], s.randomLeaf(), n)
	default:
		return root
	}
	set(wrapped)
	return root
}

// hoist replaces a random operator node by one of its children.
func (s *search) hoist(root *Node) *Node {
	n, set := s.pick(&root)
	switch n.Kind {
	case UnaryNode:
		set(n.L)
	case BinaryNode:
		if s.rng.Float64() < 0.5 {
			set(n.L)
		} else {
			set(n.R)
		}
	}
	return root
}
