#include "textflag.h"

// func pairScanSSSE3(data []byte, t *nibbleTables) (off int, mask uint32)
//
// For each position p of a 16-byte block: the classes of data[p] by its
// low and high nibble (PSHUFB into lo1 and hi1), the same for data[p+1]
// with lo2 and hi2, and the AND of the four; a block whose positions all
// come to zero is skipped.
TEXT ·pairScanSSSE3(SB), NOSPLIT, $0-44
	MOVQ data_base+0(FP), SI
	MOVQ data_len+8(FP), CX
	MOVQ t+24(FP), DX
	MOVOU 0(DX), X8   // lo1
	MOVOU 16(DX), X9  // hi1
	MOVOU 32(DX), X10 // lo2
	MOVOU 48(DX), X11 // hi2
	MOVQ $0x0f0f0f0f0f0f0f0f, AX
	MOVQ AX, X12
	PUNPCKLQDQ X12, X12
	PXOR X13, X13
	XORQ BX, BX
	SUBQ $16, CX // blocks start below len-16: their last position has a next byte

loop:
	CMPQ BX, CX
	JGE done
	MOVOU (SI)(BX*1), X0
	MOVOU 1(SI)(BX*1), X1
	MOVO X0, X2
	PSRLW $4, X2
	PAND X12, X2
	PAND X12, X0
	MOVO X8, X3
	PSHUFB X0, X3
	MOVO X9, X4
	PSHUFB X2, X4
	PAND X4, X3
	MOVO X1, X2
	PSRLW $4, X2
	PAND X12, X2
	PAND X12, X1
	MOVO X10, X5
	PSHUFB X1, X5
	MOVO X11, X6
	PSHUFB X2, X6
	PAND X6, X5
	PAND X5, X3
	PCMPEQB X13, X3
	PMOVMSKB X3, AX
	XORL $0xffff, AX
	JNZ found
	ADDQ $16, BX
	JMP loop

found:
	MOVQ BX, off+32(FP)
	MOVL AX, mask+40(FP)
	RET

done:
	MOVQ BX, off+32(FP)
	MOVL $0, mask+40(FP)
	RET
