package linalg

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// solveGonum is the trainer's exact solve as ops/gnn did it with gonum:
// Cholesky, its condition estimate, the inverse and X = A⁻¹·C.
func solveGonum(a, c []float64, n int) *mat.Dense {
	var chol mat.Cholesky
	if !chol.Factorize(mat.NewSymDense(n, append([]float64(nil), a...))) || chol.Cond() > 1e15 {
		panic("gonum: benchmark matrix not positive definite")
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		panic(err)
	}
	var x mat.Dense
	x.Mul(&inv, mat.NewDense(n, n, c))
	return &x
}

// solveLinalg is the same solve with this package.
func solveLinalg(a, c []float64, n int, work, inv, x []float64) {
	copy(work, a)
	var chol Cholesky
	if !chol.Factorize(work, n) || chol.Cond() > 1e15 {
		panic("linalg: benchmark matrix not positive definite")
	}
	chol.Inverse(inv)
	Gemm(false, false, n, n, n, 1, inv, n, c, n, 0, x, n)
}

// BenchmarkCholeskySolve times, in each iteration, the exact solve
// (Cholesky + condition estimate + inverse + X = A⁻¹·C, about 3·n³ flops)
// with gonum and with this package on the same SPD matrix, and reports both
// times (wall and CPU) and the ratio of the wall times. Run with -benchtime
// 1x:
//
//	go test ./ops/linalg -run '^$' -bench CholeskySolve -benchtime 1x
func BenchmarkCholeskySolve(b *testing.B) {
	for _, n := range []int{1000, 2048} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewSource(1))
			a := randomSPD(n, rng)
			c := randMatrix(n, n, rng)
			work, inv, x := make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
			solveLinalg(a, c, n, work, inv, x) // first touch of the buffers
			b.ResetTimer()
			var tg, tl, cg, cl time.Duration
			for i := 0; i < b.N; i++ {
				t0, c0 := time.Now(), cpuTime()
				solveGonum(a, c, n)
				t1, c1 := time.Now(), cpuTime()
				solveLinalg(a, c, n, work, inv, x)
				tl += time.Since(t1)
				cl += cpuTime() - c1
				tg += t1.Sub(t0)
				cg += c1 - c0
			}
			flops := 3 * float64(n) * float64(n) * float64(n)
			b.ReportMetric(tg.Seconds()/float64(b.N), "gonum-s/op")
			b.ReportMetric(tl.Seconds()/float64(b.N), "linalg-s/op")
			b.ReportMetric(tg.Seconds()/tl.Seconds(), "speedup")
			b.ReportMetric(flops*float64(b.N)/tl.Seconds()/1e9, "linalg-GFLOP/s")
			// CPU time (all threads): the fairer ratio on a shared machine
			b.ReportMetric(cg.Seconds()/float64(b.N), "gonum-cpu-s/op")
			b.ReportMetric(cl.Seconds()/float64(b.N), "linalg-cpu-s/op")
		})
	}
}

// BenchmarkGemm is a square n×n×n product on the selected tier (NGS_CPU
// chooses another).
func BenchmarkGemm(b *testing.B) {
	for _, n := range []int{256, 1024, 2048} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewSource(1))
			x, y, z := randMatrix(n, n, rng), randMatrix(n, n, rng), make([]float64, n*n)
			Gemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
			b.ResetTimer()
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				Gemm(false, false, n, n, n, 1, x, n, y, n, 0, z, n)
			}
			flops := 2 * float64(n) * float64(n) * float64(n) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			// per second of CPU time (all threads): the kernel's rate on a
			// shared machine
			b.ReportMetric(flops/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
		})
	}
}

// BenchmarkCholesky times the parts: factorisation with the condition
// estimate, and the inverse, in wall time and in GFLOP per CPU-second
// counted as LAPACK does (n³/3 flops for the factor, 2n³/3 for the inverse;
// this package's inverse does n³, its triangular products being full
// GEMMs).
func BenchmarkCholesky(b *testing.B) {
	for _, n := range []int{1000, 2048} {
		rng := rand.New(rand.NewSource(1))
		a := randomSPD(n, rng)
		work := make([]float64, n*n)
		nf := float64(n)
		b.Run(fmt.Sprintf("factor/n=%d", n), func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				copy(work, a)
				var c Cholesky
				c.Factorize(work, n)
				c.Cond()
			}
			b.ReportMetric(nf*nf*nf/3*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
		})
		var c Cholesky
		copy(work, a)
		c.Factorize(work, n)
		inv := make([]float64, n*n)
		b.Run(fmt.Sprintf("inverse/n=%d", n), func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				c.Inverse(inv)
			}
			b.ReportMetric(2*nf*nf*nf/3*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
		})
	}
}
