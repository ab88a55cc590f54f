package main

import _ "github.com/ngs-lab/ngs/experiment"
