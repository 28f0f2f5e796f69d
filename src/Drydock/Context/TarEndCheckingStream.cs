using Drydock.Foundation.Streams;

namespace Drydock.Context;

/// <summary>
/// Remembers the last 512-byte block of a tar stream read to its end, so a cut archive can be
/// told from a whole one. A gzip stream cut short just ends (the BCL does not check the
/// trailer), and a tar cut between two entries reads like a shorter archive; but every tar
/// writer ends an archive with zero blocks, so a whole archive's last block is all zeros.
/// </summary>
internal sealed class TarEndCheckingStream(Stream inner) : ObservingReadStream(inner, leaveOpen: true)
{
    private const int BlockSize = 512;
    private readonly byte[] _tail = new byte[BlockSize];
    private int _filled;

    /// <summary>Whether the stream, read to its end, ended with a zero block.</summary>
    public bool EndedWithZeroBlock => _filled == BlockSize && !_tail.AsSpan().ContainsAnyExcept((byte)0);

    protected override void Observe(ReadOnlySpan<byte> data)
    {
        if (data.Length >= BlockSize)
        {
            data[^BlockSize..].CopyTo(_tail);
            _filled = BlockSize;
            return;
        }

        // Shift the kept bytes left to make room for the new ones at the end.
        var keep = Math.Min(_filled, BlockSize - data.Length);
        _tail.AsSpan(_filled - keep, keep).CopyTo(_tail);
        data.CopyTo(_tail.AsSpan(keep));
        _filled = keep + data.Length;
    }
}
