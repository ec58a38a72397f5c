/// Standard base64 (RFC 4648, with padding), decoded without Foundation.
enum Base64 {
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = Int8(index)
        }
        return table
    }()

    /// Decodes `text` into `output` (replacing its contents); false if it is not base64.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> Bool {
        output.removeAll(keepingCapacity: true)
        guard text.count % 4 == 0, !text.isEmpty else { return false }
        var index = 0
        while index < text.count {
            var quad: UInt32 = 0
            var padding = 0
            for k in 0 ..< 4 {
                let byte = text[index + k]
                if byte == UInt8(ascii: "=") && index + 4 == text.count && k >= 2 {
                    padding += 1
                    quad <<= 6
                    continue
                }
                let value = values[Int(byte)]
                guard value >= 0, padding == 0 else { return false }
                quad = quad << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: quad >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: quad >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: quad)) }
            index += 4
        }
        return true
    }
}
