// Package pipeline holds the steps of an experiment after training as Go
// calls with typed inputs and results, so that a Go program runs them
// without a script:
//
//   - Report compares a Fit (a trained gnn.Model and its history) and its
//     Data with the true network (Truth) and writes the report, returning
//     its typed report.Metrics;
//   - Symbolic finds formulas for a fit's learned functions
//     (report.Symbolic, which report.Report.AddSymbolic adds to a report);
//   - TransferCurves, CorrectedTransfer and CorrectedWeights undo the
//     scale a learned ψ* trades with Ŵ; Clusters groups neurons by their
//     embeddings; ExpectedForms writes a rule's true functions as formulas.
//
// Simulation and training are Go calls already (ops/sim.Run with
// sim.Options, ops/gnn.Train with gnn.TrainConfig). Progress of both goes
// to the callback the host sets (sim.Options.Progress,
// gnn.TrainConfig.OnProgress). The script builtins report and symbolic in
// package experiment bind script values to these calls.
package pipeline
