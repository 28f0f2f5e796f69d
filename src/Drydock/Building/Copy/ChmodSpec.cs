namespace Drydock.Building.Copy;

/// <summary>
/// A COPY/ADD <c>--chmod</c> value: an octal mode (<c>755</c>, <c>04755</c>) that replaces the
/// permission bits, or a symbolic mode as BSD chmod(1) takes it (<c>+x</c>, <c>go-w</c>,
/// <c>u=rwX,go=rX</c>, <c>g=u</c>) that edits each copied entry's own mode. BuildKit parses the
/// symbolic form with a port of BSD's setmode(3) and a umask of 0; the rules below are the same,
/// down to its quirks (<c>o+s</c> sets nothing, <c>-X</c> removes nothing, <c>t</c> without a class
/// narrows the rest of its clause to the sticky bit), except that <c>X</c> also counts after
/// <c>=</c>, as Docker's reference documents.
/// </summary>
internal sealed class ChmodSpec
{
    /// <summary>What the value looks like, for error messages.</summary>
    public const string Expected =
        "expected an octal mode between 0 and 07777 (e.g. 0755) or a symbolic mode as chmod(1) takes it (e.g. +x, go-w, a=rX, u=rwX,go=rX)";

    private const int SetUid = 0b100_000_000_000;
    private const int SetGid = 0b010_000_000_000;
    private const int Sticky = 0b001_000_000_000;
    private const int UserBits = 0b111_000_000;
    private const int GroupBits = 0b000_111_000;
    private const int OtherBits = 0b000_000_111;
    private const int ReadBits = 0b100_100_100;
    private const int WriteBits = 0b010_010_010;
    private const int ExecuteBits = 0b001_001_001;

    // Every bit a class letter can name ("a" and "=" without a class leave the sticky bit alone).
    private const int StandardBits = SetUid | SetGid | UserBits | GroupBits | OtherBits;

    private readonly int? _absolute;
    private readonly IReadOnlyList<Command> _commands;

    private ChmodSpec(int? absolute, IReadOnlyList<Command> commands)
    {
        _absolute = absolute;
        _commands = commands;
    }

    private enum Action
    {
        Clear,
        Set,

        // "X": set only on directories and on files some class may already execute.
        SetIfExecutable,

        // "u", "g" or "o" after the operator: copy that class's current bits to the classes named.
        CopyClass,
    }

    /// <summary>Parses a --chmod value; false with a reason when it is neither octal nor symbolic.</summary>
    public static bool TryParse(string text, out ChmodSpec? spec, out string? error)
    {
        spec = null;
        error = null;
        if (text.Length == 0)
        {
            error = "the mode is empty";
            return false;
        }

        // Like BuildKit: whatever starts with a digit is an octal number or an error.
        if (char.IsAsciiDigit(text[0]))
        {
            var value = 0;
            foreach (var c in text)
            {
                if (c is < '0' or > '7')
                {
                    error = $"'{c}' is not an octal digit";
                    return false;
                }

                value = (value * 8) + (c - '0');
                if (value > 0b111_111_111_111)
                {
                    error = "the mode is above 07777";
                    return false;
                }
            }

            spec = new ChmodSpec(value, []);
            return true;
        }

        var commands = new List<Command>();
        if (!new SymbolicParser(text, commands).Parse())
        {
            error = "not a valid symbolic mode";
            return false;
        }

        spec = new ChmodSpec(null, commands);
        return true;
    }

    /// <summary>The mode a copied entry gets, from the mode it has in the source.</summary>
    public UnixFileMode Apply(UnixFileMode sourceMode, bool isDirectory)
    {
        if (_absolute is { } absolute)
        {
            return (UnixFileMode)absolute;
        }

        var original = (int)sourceMode & 0b111_111_111_111;
        var mode = original;
        foreach (var command in _commands)
        {
            switch (command.Action)
            {
                case Action.Clear:
                    mode &= ~command.Bits;
                    break;
                case Action.Set:
                    mode |= command.Bits;
                    break;
                case Action.SetIfExecutable:
                    // setmode(3) looks at the mode before any clause, not at the one being built.
                    if ((original & ExecuteBits) != 0 || isDirectory)
                    {
                        mode |= command.Bits;
                    }

                    break;
                case Action.CopyClass:
                    mode = CopyClass(mode, command);
                    break;
            }
        }

        return (UnixFileMode)mode;
    }

    private static int CopyClass(int mode, Command command)
    {
        var value = (mode >> ShiftOf(command.Source)) & 0b111;
        var spread = (value << 6) | (value << 3) | value;
        if (command.Clear)
        {
            // "=" empties the target classes first; "-" removes just the copied bits.
            mode &= ~((command.Set ? UserBits | GroupBits | OtherBits : spread) & command.Bits);
        }

        if (command.Set)
        {
            mode |= spread & command.Bits;
        }

        return mode;
    }

    private static int ShiftOf(char userClass) => userClass switch
    {
        'u' => 6,
        'g' => 3,
        _ => 0,
    };

    /// <param name="Action">What to do.</param>
    /// <param name="Bits">The bits to change; for a class copy, the classes copied into.</param>
    /// <param name="Source">For a class copy, the class copied from.</param>
    /// <param name="Clear">For a class copy, whether target bits are cleared first.</param>
    /// <param name="Set">For a class copy, whether the source bits are set.</param>
    private sealed record Command(Action Action, int Bits, char Source = '\0', bool Clear = false, bool Set = false);

    /// <summary>
    /// Reads "[ugoa]*([-+=]([rwxXst]*|[ugo]))+" clauses separated by commas into commands, clause by
    /// clause and operator by operator, exactly as setmode(3) walks the string.
    /// </summary>
    private sealed class SymbolicParser(string text, List<Command> commands)
    {
        private int _position;

        // "=" clears its classes once per clause, unless a class copy ("g=u") already did.
        private bool _equalApplied;

        public bool Parse()
        {
            while (true)
            {
                var who = 0;
                while (true)
                {
                    if (_position >= text.Length)
                    {
                        return false;
                    }

                    var classBits = text[_position] switch
                    {
                        'a' => StandardBits,
                        'u' => SetUid | UserBits,
                        'g' => SetGid | GroupBits,
                        'o' => OtherBits,
                        _ => 0,
                    };
                    if (classBits == 0)
                    {
                        break;
                    }

                    who |= classBits;
                    _position++;
                }

                // One or more operators share the classes: "u+r-w" is "u+r,u-w".
                do
                {
                    if (!ParseOperation(ref who))
                    {
                        return false;
                    }
                }
                while (_position < text.Length && text[_position] != ',');

                if (_position >= text.Length)
                {
                    return true;
                }

                _position++;
            }
        }

        private bool ParseOperation(ref int who)
        {
            var op = text[_position++];
            if (op is not ('+' or '-' or '='))
            {
                return false;
            }

            if (op == '=')
            {
                _equalApplied = false;
            }

            who &= ~Sticky;
            var perm = 0;
            var permX = 0;
            for (; ; _position++)
            {
                var c = _position < text.Length ? text[_position] : '\0';
                switch (c)
                {
                    case 'r':
                        perm |= ReadBits;
                        break;
                    case 'w':
                        perm |= WriteBits;
                        break;
                    case 'x':
                        perm |= ExecuteBits;
                        break;
                    case 'X':
                        // BuildKit's setmode port honours X after '+' only, which contradicts
                        // its own reference ("u=rwX,go=rX sets directories to 755"); we keep the
                        // documented meaning, chmod(1)'s, for '=' too.
                        if (op is '+' or '=')
                        {
                            permX = ExecuteBits;
                        }

                        break;
                    case 's':
                        // Set-id bits mean nothing for "other" alone.
                        if (who == 0 || (who & ~OtherBits) != 0)
                        {
                            perm |= SetUid | SetGid;
                        }

                        break;
                    case 't':
                        if (who == 0 || (who & ~OtherBits) != 0)
                        {
                            who |= Sticky;
                            perm |= Sticky;
                        }

                        break;
                    case 'u' or 'g' or 'o':
                        if (perm != 0)
                        {
                            Add(op, who, perm);
                            perm = 0;
                        }

                        if (op == '=')
                        {
                            _equalApplied = true;
                        }

                        if (permX != 0)
                        {
                            Add('X', who, permX);
                            permX = 0;
                        }

                        AddCopy(c, who, op);
                        break;
                    default:
                        if (perm != 0 || (op == '=' && !_equalApplied))
                        {
                            if (op == '=')
                            {
                                _equalApplied = true;
                            }

                            Add(op, who, perm);
                        }

                        if (permX != 0)
                        {
                            Add('X', who, permX);
                        }

                        return true;
                }
            }
        }

        private void Add(char op, int who, int bits)
        {
            var masked = who != 0 ? who & bits : bits;
            switch (op)
            {
                case '=':
                    commands.Add(new Command(Action.Clear, who != 0 ? who : StandardBits));
                    commands.Add(new Command(Action.Set, masked));
                    break;
                case '+':
                    commands.Add(new Command(Action.Set, masked));
                    break;
                case '-':
                    commands.Add(new Command(Action.Clear, masked));
                    break;
                default:
                    commands.Add(new Command(Action.SetIfExecutable, masked));
                    break;
            }
        }

        private void AddCopy(char source, int who, char op)
        {
            var targets = who == 0
                ? UserBits | GroupBits | OtherBits
                : ((who & 0b100_000_000) != 0 ? UserBits : 0) | ((who & 0b000_100_000) != 0 ? GroupBits : 0) | ((who & 0b000_000_100) != 0 ? OtherBits : 0);
            commands.Add(new Command(Action.CopyClass, targets, source, Clear: op is '-' or '=', Set: op is '+' or '='));
        }
    }
}
