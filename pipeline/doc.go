// Package pipeline holds the steps of an experiment after training as Go
// calls with typed inputs and results, so that a Go program runs them
// without a script: Symbolic finds formulas for a fit's learned functions
// (report.Symbolic, which report.Report.AddSymbolic adds to a report),
// TransferCurves samples a model's ψ* corrected by its plateau, and
// ExpectedForms writes a rule's true functions as formulas.
//
// Simulation and training are Go calls already (ops/sim.Run with
// sim.Options, ops/gnn.Train with gnn.TrainConfig); the report's sections
// are report.Report's Add methods and its numbers the typed report.Metrics.
// The script builtins in package experiment bind script values to these
// calls.
package pipeline
