// Package stdlib registers the general-purpose builtins of ngs into
// runtime.Default: printing and formatting, math (elementwise on tensors
// too), random numbers, ranges, tensors and reductions. Import it for its
// side effect:
//
//	import _ "github.com/ngs-lab/ngs/stdlib"
//
// Other packages add their builtins the same way, with runtime.Register in
// an init function.
package stdlib
