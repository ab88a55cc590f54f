module github.com/ngs-lab/ngs

go 1.26
