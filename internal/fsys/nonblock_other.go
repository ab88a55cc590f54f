//go:build !unix

package fsys

// nonBlock is zero where O_NONBLOCK does not exist.
const nonBlock = 0
