package planning

import (
	"fmt"
	"testing"
)

// The reference is what Errorf did before it kept its format: one Sprintf.
func BenchmarkErrorfReference(b *testing.B) {
	for b.Loop() {
		_ = &Error{Code: ErrNotFound, Message: fmt.Sprintf("parcel %s overlaps parcel %s by %v m² at the same elevation", "P01", "P02", 12.5)}
	}
}

func BenchmarkErrorf(b *testing.B) {
	for b.Loop() {
		_ = Errorf(ErrNotFound, "parcel %s overlaps parcel %s by %v m² at the same elevation", "P01", "P02", 12.5)
	}
}

// Writing an error's message in Chinese, as writeError does per refusal.
func BenchmarkErrorInChinese(b *testing.B) {
	e := Errorf(ErrNotFound, "parcel %s overlaps parcel %s by %v m² at the same elevation", "P01", "P02", 12.5)
	for b.Loop() {
		_ = e.In(LangZh)
	}
}
