import RootwatchCore
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [
        // Each unit alone.
        ("90s", 90, "1m30s"),
        ("30m", 1_800, "30m"),
        ("24h", 86_400, "1d"),
        ("7d", 604_800, "7d"),
        // Combinations, largest unit first.
        ("1h30m", 5_400, "1h30m"),
        ("1d2h3m4s", 93_784, "1d2h3m4s"),
        // Surrounding blanks are ignored; zero is a duration (validation decides if it is allowed).
        ("  15m\t", 900, "15m"),
        ("0s", 0, "0s"),
        // Leading zeros are just digits.
        ("010m", 600, "10m"),
        // The largest accepted value.
        ("36500d", 3_153_600_000, "36500d"),
    ])
    func parsesAndFormats(text: String, seconds: Int64, canonical: String) throws {
        let duration = try DurationText.parse(text)
        #expect(duration == .seconds(seconds))
        #expect(DurationText.format(duration) == canonical)
        #expect(try DurationText.parse(canonical) == duration)
    }

    @Test(arguments: [
        // Nothing, or only blanks.
        ("", DurationTextError.empty),
        ("   ", DurationTextError.empty),
        // Negative.
        ("-5m", DurationTextError.negative("-5m")),
        // Unknown units, including upper case and weeks.
        ("7x", DurationTextError.unknownUnit("7x", "x")),
        ("7D", DurationTextError.unknownUnit("7D", "D")),
        ("2w", DurationTextError.unknownUnit("2w", "w")),
        ("1.5h", DurationTextError.unknownUnit("1.5h", ".")),
        ("1h 30m", DurationTextError.unknownUnit("1h 30m", " ")),
        // A bare number has no unit.
        ("90", DurationTextError.missingUnit("90")),
        ("1h30", DurationTextError.missingUnit("1h30")),
        // A unit without a number.
        ("h", DurationTextError.missingNumber("h")),
        ("1hm", DurationTextError.missingNumber("1hm")),
        // Units out of order or repeated.
        ("30m1h", DurationTextError.unitOrder("30m1h")),
        ("1h1h", DurationTextError.unitOrder("1h1h")),
        // Too large: beyond 100 years, and beyond Int64 digits.
        ("36501d", DurationTextError.overflow("36501d")),
        ("99999999999999999999s", DurationTextError.overflow("99999999999999999999s")),
        ("9223372036854775807d", DurationTextError.overflow("9223372036854775807d")),
    ])
    func rejects(text: String, expected: DurationTextError) {
        #expect(throws: expected) { try DurationText.parse(text) }
        #expect(expected.description.contains("duration"))
    }

    @Test func formatDropsSubsecondsAndNegatives() {
        #expect(DurationText.format(.milliseconds(90_500)) == "1m30s")
        #expect(DurationText.format(.seconds(-5)) == "0s")
    }

    @Test(arguments: [
        // The default, the bounds, blanks.
        ("10%", 10),
        ("0%", 0),
        ("50%", 50),
        (" 25% ", 25),
    ])
    func parsesPercentages(text: String, expected: Int) throws {
        #expect(try PercentText.parse(text) == expected)
        #expect(PercentText.format(expected) == text.filter { $0 != " " })
    }

    @Test(arguments: [
        // Above the 50% limit.
        ("51%", PercentTextError.outOfRange("51%", 0...50)),
        // Not whole percentages, or no percent sign.
        ("10", PercentTextError.notAPercentage("10")),
        ("%", PercentTextError.notAPercentage("%")),
        ("-5%", PercentTextError.notAPercentage("-5%")),
        ("2.5%", PercentTextError.notAPercentage("2.5%")),
        ("ten%", PercentTextError.notAPercentage("ten%")),
        ("99999999999999999999%", PercentTextError.notAPercentage("99999999999999999999%")),
    ])
    func rejectsPercentages(text: String, expected: PercentTextError) {
        #expect(throws: expected) { try PercentText.parse(text) }
    }
}
