// Package experiment gives scripts their experiments: the network and model
// declarations, and the builtins simulate, train, cluster, report and
// symbolic, with the values they return (networks, datasets, fits, learned
// functions). It compiles a network's equations to the ops/eqn IR and calls
// the numerical packages under ops/ and the report renderer; linking it (a
// blank import) registers everything into runtime.Default.
package experiment
