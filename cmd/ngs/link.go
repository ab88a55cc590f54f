package main

// Builtin packages register themselves into runtime.Default when linked.
// To link another package into the command, add a file here with its
// blank import.
import _ "github.com/ngs-lab/ngs/stdlib"
