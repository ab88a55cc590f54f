//go:build !amd64

package vec

// gonumDotAsm reports whether gonum's Sdot is assembly here: gonum has no
// float32 assembly outside amd64.
const gonumDotAsm = false
