package vec

// gonumDotAsm reports whether gonum's Sdot is assembly here (gonum's amd64
// kernels, unless gonum is built with its noasm tag).
const gonumDotAsm = true
