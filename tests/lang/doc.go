// Package lang holds the end-to-end tests of the .ngs language: golden
// scripts under testdata/ whose expected output and errors are written in
// the scripts themselves, and bad-input cases that are generated in Go.
package lang
