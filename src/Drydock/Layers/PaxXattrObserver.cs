using Drydock.Foundation.Streams;
using System.Text;

namespace Drydock.Layers;

/// <summary>
/// A read-through stream under <see cref="System.Formats.Tar.TarReader"/> that follows the tar
/// block structure as it passes and keeps the raw bytes of the <c>SCHILY.xattr.*</c> records of
/// the entry most recently begun. TarReader decodes PAX values as UTF-8, which damages binary
/// values such as security.capability; these raw bytes are the intact ones. Only headers are
/// looked at: file data is counted, never copied.
/// </summary>
internal sealed class PaxXattrObserver(Stream inner) : ObservingReadStream(inner, leaveOpen: true)
{
    private const int BlockSize = TarBlocks.BlockSize;
    private const int MaxCapturedHeader = 1 << 20;
    private const string XattrPrefix = "SCHILY.xattr.";

    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFill;
    private long _dataLeft;
    private long _captureLeft;
    private MemoryStream? _capture;
    private Dictionary<string, byte[]>? _pendingXattrs;
    private long? _pendingSize;

    /// <summary>How many entries (headers other than PAX and GNU long-name ones) have begun.</summary>
    public long EntriesBegun { get; private set; }

    /// <summary>The raw xattrs of the entry most recently begun (empty when it had none).</summary>
    public IReadOnlyDictionary<string, byte[]> CurrentXattrs { get; private set; } = new Dictionary<string, byte[]>();

    protected override void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_dataLeft > 0)
            {
                var take = (int)Math.Min(_dataLeft, data.Length);
                if (_capture is not null && _captureLeft > 0)
                {
                    var keep = (int)Math.Min(_captureLeft, take);
                    _capture.Write(data[..keep]);
                    _captureLeft -= keep;
                }

                _dataLeft -= take;
                data = data[take..];
                if (_dataLeft == 0 && _capture is not null)
                {
                    ParseRecords(_capture.GetBuffer().AsSpan(0, (int)_capture.Length));
                    _capture = null;
                }

                continue;
            }

            var fill = Math.Min(BlockSize - _headerFill, data.Length);
            data[..fill].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += fill;
            data = data[fill..];
            if (_headerFill == BlockSize)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return; // end-of-archive block
        }

        var type = (char)_header[TarBlocks.TypeOffset];
        TarBlocks.TryParseNumber(_header.AsSpan(TarBlocks.SizeOffset, 12), out var size);
        switch (type)
        {
            case 'x':
                _capture = size <= MaxCapturedHeader ? new MemoryStream((int)size) : null;
                _captureLeft = size;
                break;
            case 'L' or 'K':
                break; // GNU long names: data, but no entry of their own
            default:
                // A 'g' global header is an entry for TarReader too, so it is counted the same way.
                if (type != 'g' && _pendingSize is { } paxSize)
                {
                    size = paxSize;
                }

                EntriesBegun++;
                CurrentXattrs = (IReadOnlyDictionary<string, byte[]>?)_pendingXattrs ?? new Dictionary<string, byte[]>();
                _pendingXattrs = null;
                _pendingSize = null;
                break;
        }

        _dataLeft = TarBlocks.Padded(size);
        if (_dataLeft == 0 && _capture is not null)
        {
            _capture = null;
        }
    }

    // A malformed record ends the parse (TarReader then fails on it anyway).
    private void ParseRecords(ReadOnlySpan<byte> records)
    {
        while (TarBlocks.TryTakeRecord(ref records, out var keyBytes, out var value))
        {
            var key = Encoding.UTF8.GetString(keyBytes);
            if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                (_pendingXattrs ??= new Dictionary<string, byte[]>(StringComparer.Ordinal))[key[XattrPrefix.Length..]] = value.ToArray();
            }
            else if (key == "size" && long.TryParse(value, out var size))
            {
                _pendingSize = size;
            }
        }
    }
}
