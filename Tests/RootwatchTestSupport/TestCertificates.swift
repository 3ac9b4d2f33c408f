import Foundation

/// A private certificate authority and a server certificate for `127.0.0.1`, made with the
/// `openssl` command line in a fresh temporary directory.
///
/// HTTPS tests need a server the client can verify without touching the system trust store; the
/// CA file goes into `HTTPRequest.caFile` and the server gets `certFile` and `keyFile`.
package struct TestCertificates: Sendable {
    package let directory: String
    /// PEM of the CA certificate: what the client trusts.
    package let caFile: String
    /// PEM of the server certificate (subject alternative names: IP 127.0.0.1 and `hosts`).
    package let certFile: String
    /// PEM of the server's private key.
    package let keyFile: String

    /// Generates the CA and the server certificate (P-256 keys, valid for two days).
    package static func make(hosts: [String] = []) async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rootwatch-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(
            directory: directory,
            caFile: "\(directory)/ca.pem",
            certFile: "\(directory)/server.pem",
            keyFile: "\(directory)/server.key"
        )
        do {
            try await certificates.generate(hosts: hosts)
        } catch {
            certificates.remove()
            throw error
        }
        return certificates
    }

    private func generate(hosts: [String]) async throws {
        let names = ["IP:127.0.0.1"] + hosts.map { "DNS:\($0)" }
        let extensions = """
            subjectAltName=\(names.joined(separator: ","))
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth

            """
        try extensions.write(toFile: "\(directory)/server.ext", atomically: true, encoding: .utf8)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        _ = try await ChildProcess.run(
            ["openssl", "req", "-x509"] + curve + [
                "-keyout", "\(directory)/ca.key", "-out", caFile, "-days", "2",
                "-subj", "/CN=rootwatch test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        _ = try await ChildProcess.run(
            ["openssl", "req", "-new"] + curve + [
                "-keyout", keyFile, "-out", "\(directory)/server.csr", "-subj", "/CN=127.0.0.1",
            ])
        _ = try await ChildProcess.run([
            "openssl", "x509", "-req", "-in", "\(directory)/server.csr", "-CA", caFile,
            "-CAkey", "\(directory)/ca.key", "-CAcreateserial", "-out", certFile, "-days", "2",
            "-extfile", "\(directory)/server.ext",
        ])
    }

    /// Deletes the directory with every key and certificate.
    package func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
