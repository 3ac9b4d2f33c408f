import CCrypto
import FoundationEssentials

/// The hashes, MACs, encodings and random bytes the signers need, computed by OpenSSL's libcrypto.
///
/// One small surface over libcrypto keeps the signers pure Swift and lets tests check each primitive
/// against published vectors (FIPS 180-2 for SHA-256, RFC 2202 / RFC 4231 for HMAC).
package enum Digest {
    /// SHA-256 of `data`, 32 bytes.
    package static func sha256(_ data: [UInt8]) -> [UInt8] {
        digest(EVP_sha256(), data)
    }

    /// SHA-256 of the UTF-8 bytes of `text`, as lower-case hex (the form V3 signing uses).
    package static func sha256Hex(_ text: String) -> String {
        hex(sha256(Array(text.utf8)))
    }

    /// SHA-256 of `data` as lower-case hex.
    package static func sha256Hex(_ data: [UInt8]) -> String {
        hex(sha256(data))
    }

    /// HMAC-SHA256 of `data` under `key`, 32 bytes (V3 signatures).
    package static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        hmac(EVP_sha256(), key: key, data: data)
    }

    /// HMAC-SHA1 of `data` under `key`, 20 bytes (V1 signatures).
    package static func hmacSHA1(key: [UInt8], data: [UInt8]) -> [UInt8] {
        hmac(EVP_sha1(), key: key, data: data)
    }

    /// Lower-case hex of `bytes`.
    package static func hex(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard base64 (RFC 4648 §4, with padding).
    package static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes standard, padded base64; nil when `text` is not valid base64 (wrong length, stray
    /// characters), so a truncated report page is detected rather than silently shortened.
    package static func base64Decode(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text).map { Array($0) }
    }

    /// `count` bytes from OpenSSL's CSPRNG; falls back to the system generator if libcrypto refuses.
    package static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        if ok != 1 {
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
        }
        return bytes
    }

    private static func digest(_ md: OpaquePointer?, _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                rw_digest(md, input.baseAddress, input.count, output.baseAddress, &length)
            }
        }
        precondition(ok == 1, "libcrypto digest failed")
        return Array(out.prefix(Int(length)))
    }

    private static func hmac(_ md: OpaquePointer?, key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let ok = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    rw_hmac(
                        md, keyBytes.baseAddress, Int32(keyBytes.count), input.baseAddress, input.count,
                        output.baseAddress, &length)
                }
            }
        }
        precondition(ok == 1, "libcrypto HMAC failed")
        return Array(out.prefix(Int(length)))
    }
}
