import Foundation
import RootwatchCore

/// Reads test fixtures from the `Fixtures` folder beside this file (excluded from the target's sources).
enum FixtureFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` to a date, for readable tables; traps on a typo in the test itself.
func time(_ text: String) -> Date {
    guard let date = Timestamp.parse(text) else { fatalError("bad test timestamp \(text)") }
    return date
}
