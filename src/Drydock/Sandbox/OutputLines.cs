using System.Buffers;
using System.Text;

namespace Drydock.Sandbox;

/// <summary>
/// Splits a command's output stream into lines for a callback. Unlike StreamReader.ReadLineAsync it
/// keeps memory bounded: a line longer than <see cref="MaxLineBytes"/> (a progress bar redrawn with
/// \r, a binary dumped to stdout) is passed on in pieces of that size.
/// </summary>
internal static class OutputLines
{
    public const int MaxLineBytes = 64 * 1024;

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static async Task PumpAsync(Stream stream, Action<string> onLine)
    {
        var line = ArrayPool<byte>.Shared.Rent(MaxLineBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var length = 0;
            int read;
            // No cancellation token: the stream ends when the sandbox's processes are gone, and
            // cancelling the run is what makes them go.
            while ((read = await stream.ReadAsync(chunk.AsMemory()).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    var b = chunk[i];
                    if (b == (byte)'\n')
                    {
                        Emit(line, length, onLine);
                        length = 0;
                        continue;
                    }

                    if (length == MaxLineBytes)
                    {
                        // Cut where a UTF-8 sequence starts, so no character is split in two.
                        var cut = LastCharacterBoundary(line, length);
                        Emit(line, cut, onLine);
                        Array.Copy(line, cut, line, 0, length - cut);
                        length -= cut;
                    }

                    line[length++] = b;
                }
            }

            if (length > 0)
            {
                Emit(line, length, onLine);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    private static int LastCharacterBoundary(byte[] buffer, int length)
    {
        for (var back = 1; back <= 3 && back <= length; back++)
        {
            var b = buffer[length - back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // a continuation byte: look further back for its lead byte
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? length - back : length;
        }

        return length;
    }

    private static void Emit(byte[] line, int length, Action<string> onLine)
    {
        if (length > 0 && line[length - 1] == (byte)'\r')
        {
            length--;
        }

        onLine(Utf8.GetString(line, 0, length));
    }
}
