package main

import "github.com/ngs-lab/ngs/importer"

func init() {
	addCommand(&command{name: "import", usage: "ngs import CONFIG.yaml [-o OUT.ngs]",
		summary: "convert a reference YAML config into an .ngs script", run: importer.Main})
}
