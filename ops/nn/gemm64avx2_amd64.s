//go:build amd64 && !purego

#include "textflag.h"

// func gemm64AVX2(a *float32, lda, astep int, b *float32, c *float32, m, k int, acc bool)
//
// C[r][0:64] (+)= Σ_kk A(r, kk)·B[kk][0:64] for r < m, kk < k, where
// A(r, kk) = a[r·lda + kk·astep] (elements); B and C have row stride 64.
// With acc false C is overwritten. Four rows by 16 columns at a time keep
// 8 accumulators; the A pointers of rows 0 and 1 (AX, CX) reach rows 2 and
// 3 with a doubled lda. Leftover rows go one at a time, 64 columns wide.
TEXT ·gemm64AVX2(SB), NOSPLIT, $0-57
	MOVQ    a+0(FP), SI
	MOVQ    lda+8(FP), R8
	SHLQ    $2, R8
	MOVQ    astep+16(FP), R15
	SHLQ    $2, R15
	MOVQ    b+24(FP), DI
	MOVQ    c+32(FP), DX
	MOVQ    m+40(FP), R9
	MOVQ    k+48(FP), R10
	MOVBLZX acc+56(FP), R11

rows4:
	CMPQ R9, $4
	JLT  rows1
	XORQ R13, R13 // column offset in bytes: 0, 64, 128, 192

cols4:
	CMPQ    R11, $0
	JEQ     zero4
	VMOVUPS (DX)(R13*1), Y0
	VMOVUPS 32(DX)(R13*1), Y1
	VMOVUPS 256(DX)(R13*1), Y2
	VMOVUPS 288(DX)(R13*1), Y3
	VMOVUPS 512(DX)(R13*1), Y4
	VMOVUPS 544(DX)(R13*1), Y5
	VMOVUPS 768(DX)(R13*1), Y6
	VMOVUPS 800(DX)(R13*1), Y7
	JMP     k4

zero4:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

k4:
	MOVQ  SI, AX
	LEAQ  (SI)(R8*1), CX
	LEAQ  (DI)(R13*1), R12
	MOVQ  R10, R14
	TESTQ R14, R14
	JEQ   store4

kloop4:
	VMOVUPS      (R12), Y8
	VMOVUPS      32(R12), Y9
	VBROADCASTSS (AX), Y10
	VBROADCASTSS (CX), Y11
	VBROADCASTSS (AX)(R8*2), Y12
	VBROADCASTSS (CX)(R8*2), Y13
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         R15, AX
	ADDQ         R15, CX
	ADDQ         $256, R12
	DECQ         R14
	JNZ          kloop4

store4:
	VMOVUPS Y0, (DX)(R13*1)
	VMOVUPS Y1, 32(DX)(R13*1)
	VMOVUPS Y2, 256(DX)(R13*1)
	VMOVUPS Y3, 288(DX)(R13*1)
	VMOVUPS Y4, 512(DX)(R13*1)
	VMOVUPS Y5, 544(DX)(R13*1)
	VMOVUPS Y6, 768(DX)(R13*1)
	VMOVUPS Y7, 800(DX)(R13*1)
	ADDQ    $64, R13
	CMPQ    R13, $256
	JLT     cols4
	LEAQ    (SI)(R8*4), SI
	ADDQ    $1024, DX
	SUBQ    $4, R9
	JMP     rows4

rows1:
	TESTQ   R9, R9
	JEQ     done
	CMPQ    R11, $0
	JEQ     zero1
	VMOVUPS 0(DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS 64(DX), Y2
	VMOVUPS 96(DX), Y3
	VMOVUPS 128(DX), Y4
	VMOVUPS 160(DX), Y5
	VMOVUPS 192(DX), Y6
	VMOVUPS 224(DX), Y7
	JMP     k1

zero1:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

k1:
	MOVQ  SI, AX
	MOVQ  DI, R12
	MOVQ  R10, R14
	TESTQ R14, R14
	JEQ   store1

kloop1:
	VBROADCASTSS (AX), Y8
	VFMADD231PS  0(R12), Y8, Y0
	VFMADD231PS  32(R12), Y8, Y1
	VFMADD231PS  64(R12), Y8, Y2
	VFMADD231PS  96(R12), Y8, Y3
	VFMADD231PS  128(R12), Y8, Y4
	VFMADD231PS  160(R12), Y8, Y5
	VFMADD231PS  192(R12), Y8, Y6
	VFMADD231PS  224(R12), Y8, Y7
	ADDQ         R15, AX
	ADDQ         $256, R12
	DECQ         R14
	JNZ          kloop1

store1:
	VMOVUPS Y0, 0(DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, 128(DX)
	VMOVUPS Y5, 160(DX)
	VMOVUPS Y6, 192(DX)
	VMOVUPS Y7, 224(DX)
	ADDQ    R8, SI
	ADDQ    $256, DX
	DECQ    R9
	JMP     rows1

done:
	VZEROUPPER
	RET
