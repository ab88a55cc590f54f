package importer

import "fmt"

// readTraining reads the training section.
func readTraining(s *section, n *notes) (training, error) {
	var e errs
	tr := training{
		epochs: e.int(s, "n_epochs", 10), batch: e.int(s, "batch_size", 1),
		initBatchOne: e.bool(s, "small_init_batch_size", false),
		seed:         e.int(s, "seed", 42), augmentation: e.optional(s, "data_augmentation_loop"),
		lrW: e.optional(s, "learning_rate_W_start"), lrMLP: e.optional(s, "learning_rate_start"),
		lrEmbedding: e.optional(s, "learning_rate_embedding_start"), lrOmega: e.optional(s, "learning_rate_NNR_f"),
		phiZero: e.float(s, "coeff_lin_phi_zero", 0), edgeDiff: e.float(s, "coeff_edge_diff", 0),
		wL1: e.float(s, "coeff_W_L1", 0), firstL1: e.float(s, "first_coeff_L1", 0),
		epochsInit:      e.int(s, "n_epochs_init", 0),
		freezeEmbedding: e.bool(s, "training_single_type", false),
		learnInput:      e.bool(s, "learn_external_input", false),
		noise:           e.optional(s, "noise_model_level"),
	}
	e.positive(s, "n_epochs", tr.epochs)
	e.positive(s, "batch_size", tr.batch)
	if e.err != nil {
		return tr, e.err
	}
	if tr.initBatchOne && tr.batch > 1 {
		n.add(s, "small_init_batch_size", fmt.Sprintf("train() has no separate batch size for epoch 0 (LANGUAGE.md); every epoch uses batch %d", tr.batch))
	}
	if tr.noise.set {
		n.add(s, "noise_model_level", "a simulation field found under training; ngs applies it to the simulation (noise)")
	}
	if tr.epochsInit > 0 && tr.firstL1 != 0 {
		n.add(s, "first_coeff_L1", fmt.Sprintf("W_L1 = %s in the first %d epochs is not expressible; W_L1 starts at epoch %d",
			formatNumber(tr.firstL1), tr.epochsInit, tr.epochsInit))
	}
	return tr, readClustering(s, n, &tr)
}

// readClustering maps the "replace embedding and function" step (SPEC §3)
// onto an `every K epochs { cluster(...) }` hook.
func readClustering(s *section, n *notes, tr *training) error {
	var e errs
	mode := e.text(s, "sparsity", "none")
	every := e.int(s, "sparsity_freq", 4)
	tr.clusterThreshold = e.float(s, "cluster_distance_threshold", 0.1)
	method := e.text(s, "cluster_method", "")
	fix := e.bool(s, "fix_cluster_embedding", true)
	e.positive(s, "sparsity_freq", every)
	if e.err != nil {
		return e.err
	}
	switch mode {
	case "replace_embedding_function":
		tr.clusterEvery = every
	case "none", "":
		return nil
	default:
		n.add(s, "sparsity", fmt.Sprintf("%q has no ngs equivalent; the script does not cluster", mode))
		return nil
	}
	if method != "" {
		n.add(s, "cluster_method", fmt.Sprintf("approximate: ngs's cluster() uses its own projection of phi*, not the reference's %q (UMAP)", method))
	}
	if !fix {
		n.add(s, "fix_cluster_embedding", "ngs always freezes the clustered embedding for one epoch (SPEC §3)")
	}
	return nil
}
