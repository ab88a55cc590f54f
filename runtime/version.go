package runtime

// Version is the ngs release, shown by `ngs version` and written into reports.
const Version = "0.1.0-dev"
