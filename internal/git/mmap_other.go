//go:build !unix

package git

import "os"

// MapFile reads the whole file where memory mapping is not available.
func MapFile(path string) (data []byte, unmap func() error, err error) {
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
