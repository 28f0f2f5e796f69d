using System.Buffers;
using System.Formats.Tar;
using System.Globalization;
using System.Text;

namespace Drydock.Layers;

/// <summary>
/// The tar block format at the byte level, shared by what writes tar streams and what reads
/// headers as they pass: numeric fields, checksums, PAX header blocks and records.
/// </summary>
internal static class TarBlocks
{
    public const int BlockSize = 512;
    public const int SizeOffset = 124;
    public const int TypeOffset = 156;
    public const long MaxOctal11 = 0x1FFFFFFFF; // 11 octal digits

    // Eighteen digits always fit a long (an exabyte); more is not a size any file system holds,
    // and keeping sizes this far under long.MaxValue keeps padding and sums of them from overflowing.
    public const int MaxDigits = 18;
    public const long MaxNumber = 999_999_999_999_999_999;

    /// <summary>The bytes an entry's data takes in the archive: whole blocks.</summary>
    public static long Padded(long size) => checked(size + BlockSize - 1) / BlockSize * BlockSize;

    /// <summary>
    /// A numeric header field: octal (leading spaces allowed, ended by a space or NUL), or GNU's
    /// base-256 when the high bit of the first byte is set. False for a negative value or one past
    /// <see cref="MaxNumber"/>.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0)
            {
                return false; // negative
            }

            long big = field[0] & 0x3F;
            foreach (var b in field[1..])
            {
                if (big > (long.MaxValue >> 8))
                {
                    return false;
                }

                big = (big << 8) | b;
            }

            value = big;
            return big <= MaxNumber;
        }

        foreach (var b in field)
        {
            if (b is (byte)' ' && value == 0)
            {
                continue;
            }

            if (b is < (byte)'0' or > (byte)'7')
            {
                break;
            }

            value = (value * 8) + (b - '0');
        }

        return true;
    }

    /// <summary>Zero-padded octal digits filling the field but its last byte, which stays NUL.</summary>
    public static void WriteOctal(Span<byte> field, long value)
    {
        for (var i = field.Length - 2; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }

        field[^1] = 0;
    }

    public static void WriteChecksum(Span<byte> block)
    {
        block.Slice(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in block)
        {
            sum += b;
        }

        WriteOctal(block.Slice(148, 7), sum);
        block[155] = (byte)' ';
    }

    /// <summary>A PAX extended header block for <paramref name="entryName"/>, announcing <paramref name="size"/> bytes of records.</summary>
    public static void FormatPaxHeader(Span<byte> block, string entryName, long size)
    {
        block.Clear();
        WriteText(block[..100], PaxHeaderName(entryName));
        WriteOctal(block.Slice(100, 8), 0x1A4); // 0644
        WriteOctal(block.Slice(108, 8), 0);
        WriteOctal(block.Slice(116, 8), 0);
        WriteOctal(block.Slice(SizeOffset, 12), size);
        WriteOctal(block.Slice(136, 12), 0);
        block[TypeOffset] = (byte)TarEntryType.ExtendedAttributes;
        "ustar\0"u8.CopyTo(block[257..]);
        "00"u8.CopyTo(block[263..]);
        WriteChecksum(block);
    }

    /// <summary>A field that does not fit gets as much as fits; non-ASCII characters become '_'.</summary>
    public static void WriteText(Span<byte> field, string text)
    {
        if (!Ascii.IsValid(text))
        {
            text = new string(text.Select(c => char.IsAscii(c) ? c : '_').ToArray());
        }

        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, field.Length)), field);
    }

    /// <summary>Each record is "&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n", where the length counts its own digits.</summary>
    public static byte[] EncodeRecords(IEnumerable<(string Key, byte[] Value)> records)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (key, value) in records)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var baseLength = keyBytes.Length + value.Length + 3;
            var length = baseLength + 1;
            while (length != baseLength + Digits(length))
            {
                length = baseLength + Digits(length);
            }

            Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + " ", output);
            output.Write(keyBytes);
            output.Write("="u8);
            output.Write(value);
            output.Write("\n"u8);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Takes the next PAX record off <paramref name="records"/>; false at the end or at a malformed record.</summary>
    public static bool TryTakeRecord(ref ReadOnlySpan<byte> records, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        key = value = default;
        while (!records.IsEmpty)
        {
            var space = records.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(records[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 1 || length > records.Length)
            {
                return false;
            }

            var record = records[(space + 1)..(length - 1)];
            records = records[length..];
            var equals = record.IndexOf((byte)'=');
            if (equals > 0)
            {
                key = record[..equals];
                value = record[(equals + 1)..];
                return true;
            }
        }

        return false;
    }

    // Fixed, like Go's archive/tar ("PaxHeaders.0"): anything that varies here breaks reproducibility.
    private static string PaxHeaderName(string name)
    {
        var trimmed = name.TrimEnd('/');
        var baseName = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        var ascii = new string(baseName.Select(c => char.IsAscii(c) && c != '\0' ? c : '_').ToArray());
        var result = "PaxHeaders.0/" + ascii;
        return result.Length > 100 ? result[..100] : result;
    }

    private static int Digits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;
}
