using System.Text;
using Drydock.Sandbox;

namespace Drydock.Tests.Sandbox;

public sealed class OutputLinesTests
{
    [Fact]
    public async Task Splits_on_newlines_and_drops_carriage_returns()
    {
        Assert.Equal(["a", "", "b", "c"], await SplitAsync("a\n\nb\r\nc"));
    }

    [Fact]
    public async Task Overlong_lines_come_in_bounded_pieces_without_splitting_characters()
    {
        // 'é' is two bytes: an odd prefix puts one across the piece boundary.
        var text = "x" + string.Concat(Enumerable.Repeat("é", OutputLines.MaxLineBytes)) + "\nend\n";
        var lines = await SplitAsync(text);
        Assert.All(lines, line => Assert.True(Encoding.UTF8.GetByteCount(line) <= OutputLines.MaxLineBytes));
        Assert.DoesNotContain(lines, line => line.Contains('\uFFFD', StringComparison.Ordinal));
        Assert.Equal(text.TrimEnd('\n').Replace("\n", "", StringComparison.Ordinal), string.Concat(lines));
        Assert.Equal("end", lines[^1]);
    }

    private static async Task<List<string>> SplitAsync(string text)
    {
        var lines = new List<string>();
        await OutputLines.PumpAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), lines.Add);
        return lines;
    }
}
