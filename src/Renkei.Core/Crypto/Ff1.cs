using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Renkei.Core.Crypto;

/// <summary>
/// FF1 format-preserving encryption with AES (NIST SP 800-38G, method FF1): a keyed pseudorandom
/// permutation of the numeral strings of one length over one radix, selected by a tweak.
/// Used wherever a number must be unique by construction and unpredictable without the key
/// (個人番号の生成 and other tokens).
/// </summary>
/// <remarks>
/// <para>
/// <b>Threading.</b> An instance is safe to use from many threads at once: each thread gets its own
/// AES engine and scratch buffers (created on the thread's first call), so calls never contend.
/// Do not call <see cref="Dispose"/> while other threads are still using the instance.
/// </para>
/// <para>
/// <b>Speed.</b> When every half of the input fits in 64 bits (radix<sup>⌈n/2⌉</sup> ≤ 2<sup>64</sup> − 1),
/// the rounds run in <see cref="ulong"/>/<see cref="UInt128"/> arithmetic, and the CBC-MAC over the
/// constant part of P‖Q (P, the tweak and the padding) is computed once per (length, tweak) and cached,
/// so each round costs a single AES block. Larger domains fall back to <see cref="BigInteger"/>.
/// The bulk methods (<see cref="EncryptNumbers"/>, <see cref="DecryptNumbers"/>) encrypt the blocks of
/// up to <see cref="BulkChunk"/> values together in one AES call per round.
/// </para>
/// <para>
/// AES runs on the processor's AES instructions (AES-NI) where there are any: the round keys are expanded
/// once per engine and each block costs a few nanoseconds, with no call into the platform's crypto library,
/// whose per-call overhead otherwise dominates single-value calls (ten one-block calls per value). Each
/// engine checks the instructions against the platform's AES once when it is created. Elsewhere AES runs
/// through one reusable <see cref="ICryptoTransform"/> (ECB, no padding) per thread with
/// preallocated buffers: no allocation per call. (The one-shot <c>Aes.EncryptEcb</c> span overloads
/// create a native cipher context and allocate on every call, which measured about eight times slower
/// per block here.)
/// </para>
/// <para>
/// Domains must have at least <see cref="MinDomainSize"/> members (radix<sup>n</sup> ≥ 10<sup>6</sup>),
/// as SP 800-38G Rev. 1 requires.
/// </para>
/// </remarks>
public sealed class Ff1 : IDisposable
{
    public const int MinRadix = 2;
    public const int MaxRadix = 1 << 16;
    public const int MinDomainSize = 1_000_000;
    /// <summary>How many values the bulk methods encrypt per AES call.</summary>
    public const int BulkChunk = 256;
    private const int Rounds = 10;

    private readonly byte[] _key;
    private readonly ThreadLocal<Engine> _engines;
    private int _disposed;

    /// <param name="key">AES-128, AES-192 or AES-256 key (16, 24 or 32 bytes). The instance keeps its own copy.</param>
    /// <param name="radix">The alphabet size, 2 … 65536 (10 for decimal digits).</param>
    public Ff1(ReadOnlySpan<byte> key, int radix)
    {
        if (key.Length is not (16 or 24 or 32))
            throw new ArgumentException("an AES key has 16, 24 or 32 bytes", nameof(key));
        if (radix is < MinRadix or > MaxRadix)
            throw new ArgumentOutOfRangeException(nameof(radix), $"radix must be between {MinRadix} and {MaxRadix}");
        Radix = radix;
        _key = GC.AllocateArray<byte>(key.Length, pinned: true);
        key.CopyTo(_key);
        _engines = new ThreadLocal<Engine>(() => new Engine(this), trackAllValues: true);
    }

    public int Radix { get; }

    /// <summary>For tests: run every call through the general <see cref="BigInteger"/> path.</summary>
    internal bool ForceGeneralPath { get; set; }

    private Engine Current
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _engines.Value!;
        }
    }

    /// <summary>Encrypts the numeral string <paramref name="numerals"/> (each 0 … radix − 1) into <paramref name="output"/> (same length; may be the same span).</summary>
    public void Encrypt(ReadOnlySpan<byte> tweak, ReadOnlySpan<int> numerals, Span<int> output) =>
        Current.Cipher(tweak, numerals, output, encrypt: true);

    /// <summary>Decrypts what <see cref="Encrypt"/> produced with the same tweak.</summary>
    public void Decrypt(ReadOnlySpan<byte> tweak, ReadOnlySpan<int> numerals, Span<int> output) =>
        Current.Cipher(tweak, numerals, output, encrypt: false);

    /// <summary>
    /// Encrypts <paramref name="value"/> read as a <paramref name="length"/>-numeral string (leading zeros
    /// included) and returns the result read the same way. Needs radix<sup>length</sup> ≤ 2<sup>64</sup> − 1.
    /// </summary>
    public ulong EncryptNumber(ulong value, int length, ReadOnlySpan<byte> tweak)
    {
        ulong result = 0;
        Current.Numbers(tweak, length, new ReadOnlySpan<ulong>(in value), new Span<ulong>(ref result), encrypt: true);
        return result;
    }

    public ulong DecryptNumber(ulong value, int length, ReadOnlySpan<byte> tweak)
    {
        ulong result = 0;
        Current.Numbers(tweak, length, new ReadOnlySpan<ulong>(in value), new Span<ulong>(ref result), encrypt: false);
        return result;
    }

    /// <summary>Bulk <see cref="EncryptNumber"/>: <paramref name="output"/>[i] = E(<paramref name="values"/>[i]). The spans may be the same.</summary>
    public void EncryptNumbers(ReadOnlySpan<ulong> values, Span<ulong> output, int length, ReadOnlySpan<byte> tweak) =>
        Current.Numbers(tweak, length, values, output, encrypt: true);

    public void DecryptNumbers(ReadOnlySpan<ulong> values, Span<ulong> output, int length, ReadOnlySpan<byte> tweak) =>
        Current.Numbers(tweak, length, values, output, encrypt: false);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var engine in _engines.Values) engine.Dispose();
        _engines.Dispose();
        CryptographicOperations.ZeroMemory(_key);
    }

    /// <summary>radix^exponent, or null when it exceeds <see cref="ulong.MaxValue"/>.</summary>
    private static ulong? CheckedPower(int radix, int exponent)
    {
        ulong result = 1;
        for (var k = 0; k < exponent; k++)
        {
            var product = (UInt128)result * (uint)radix;
            if (product > ulong.MaxValue) return null;
            result = (ulong)product;
        }
        return result;
    }

    private static bool DomainLargeEnough(int radix, int length)
    {
        long size = 1;
        for (var k = 0; k < length && size < MinDomainSize; k++) size *= radix;
        return size >= MinDomainSize;
    }

    /// <summary>Everything about one (length, tweak) that does not change between calls.</summary>
    private sealed class Domain
    {
        public required int Length;
        public required byte[] Tweak;
        public required int U;
        public required int V;
        /// <summary>b: bytes of NUM_radix(B) in Q.</summary>
        public required int B;
        /// <summary>d: bytes of S used for y.</summary>
        public required int D;
        public required byte[] P;
        // Fast path only:
        public required bool Fast;
        public ulong ModU;
        public ulong ModV;
        /// <summary>The CBC-MAC state before the last block of P‖Q, XORed with that block's constant bytes.</summary>
        public UInt128 Whitened;
        /// <summary>radix^length when it fits in 64 bits (the numbers API needs it), else 0.</summary>
        public ulong ModN;
    }

    private sealed class Engine : IDisposable
    {
        private readonly Ff1 _owner;
        private readonly Aes _aes;
        private readonly ICryptoTransform _ecb;
        private readonly Vector128<byte>[]? _roundKeys;
        private readonly byte[] _in = new byte[BulkChunk * 16];
        private readonly byte[] _out = new byte[BulkChunk * 16];
        private readonly ulong[] _a = new ulong[BulkChunk];
        private readonly ulong[] _b = new ulong[BulkChunk];
        private Domain? _domain;

        public Engine(Ff1 owner)
        {
            _owner = owner;
            _aes = Aes.Create();
            _aes.Key = owner._key;
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
            _ecb = _aes.CreateEncryptor();
            _roundKeys = HardwareAes.IsSupported ? HardwareAes.ExpandKey(owner._key) : null;
            if (_roundKeys is not null && !HardwareAgrees()) _roundKeys = null;
        }

        /// <summary>One block through both implementations: the instructions are used only if they give AES's answer.</summary>
        private bool HardwareAgrees()
        {
            for (var k = 0; k < 16; k++) _in[k] = (byte)(k * 17 + 3);
            var written = _ecb.TransformBlock(_in, 0, 16, _out, 0);
            var expected = _out.AsSpan(0, written).ToArray();
            HardwareAes.Encrypt(_roundKeys!, _in, _out, 1);
            return _out.AsSpan(0, 16).SequenceEqual(expected);
        }

        public void Dispose()
        {
            _ecb.Dispose();
            _aes.Dispose();
            if (_roundKeys is not null) Array.Clear(_roundKeys);
        }

        private int Radix => _owner.Radix;

        /// <summary>AES over <paramref name="blocks"/> blocks of <see cref="_in"/> into <see cref="_out"/>.</summary>
        private void EncryptBlocks(int blocks)
        {
            if (_roundKeys is not null)
            {
                HardwareAes.Encrypt(_roundKeys, _in, _out, blocks);
                return;
            }
            var written = _ecb.TransformBlock(_in, 0, blocks * 16, _out, 0);
            if (written != blocks * 16) throw new CryptographicException("AES returned a short block");
        }

        private Domain GetDomain(int length, ReadOnlySpan<byte> tweak)
        {
            var cached = _domain;
            if (cached is not null && cached.Length == length && tweak.SequenceEqual(cached.Tweak)) return cached;
            return _domain = CreateDomain(length, tweak);
        }

        private Domain CreateDomain(int length, ReadOnlySpan<byte> tweak)
        {
            var radix = Radix;
            if (length < 2) throw new ArgumentOutOfRangeException(nameof(length), "FF1 needs at least 2 numerals");
            if (!DomainLargeEnough(radix, length))
                throw new ArgumentOutOfRangeException(nameof(length), $"radix^length must be at least {MinDomainSize} (NIST SP 800-38G)");
            var u = length / 2;
            var v = length - u;
            var modV = CheckedPower(radix, v);
            var fast = modV is not null && !_owner.ForceGeneralPath;
            long bits = modV is { } m ? 64 - BitOperations.LeadingZeroCount(m - 1) : (long)(BigInteger.Pow(radix, v) - 1).GetBitLength();
            var b = (int)((bits + 7) / 8);
            var d = 4 * ((b + 3) / 4) + 4;

            var p = new byte[16];
            p[0] = 1; p[1] = 2; p[2] = 1;
            p[3] = (byte)(radix >> 16); p[4] = (byte)(radix >> 8); p[5] = (byte)radix;
            p[6] = 10;
            p[7] = (byte)(u % 256);
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), (uint)length);
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(12), (uint)tweak.Length);

            var domain = new Domain
            {
                Length = length, Tweak = tweak.ToArray(), U = u, V = v, B = b, D = d, P = p, Fast = fast,
            };
            if (!fast) return domain;

            domain.ModV = modV!.Value;
            domain.ModU = CheckedPower(radix, u)!.Value;
            domain.ModN = CheckedPower(radix, length) ?? 0;

            // P ‖ T ‖ 0^pad ‖ [i] ‖ [NUM(B)]^b is a whole number of blocks; only the last block varies (b + 1 ≤ 9 < 16).
            var pad = Mod16(-(tweak.Length + b + 1));
            var total = 16 + tweak.Length + pad + 1 + b;
            var prefix = new byte[total];
            p.CopyTo(prefix, 0);
            tweak.CopyTo(prefix.AsSpan(16));
            Span<byte> state = stackalloc byte[16];
            state.Clear();
            for (var offset = 0; offset < total - 16; offset += 16)
            {
                for (var k = 0; k < 16; k++) _in[k] = (byte)(state[k] ^ prefix[offset + k]);
                EncryptBlocks(1);
                _out.AsSpan(0, 16).CopyTo(state);
            }
            // The last block's constant bytes (tail of the tweak, padding) with zeros where [i] and B go.
            for (var k = 0; k < 16; k++) state[k] ^= prefix[total - 16 + k];
            domain.Whitened = BinaryPrimitives.ReadUInt128BigEndian(state);
            return domain;
        }

        private static int Mod16(int x) => ((x % 16) + 16) % 16;

        public void Numbers(ReadOnlySpan<byte> tweak, int length, ReadOnlySpan<ulong> values, Span<ulong> output, bool encrypt)
        {
            if (output.Length != values.Length)
                throw new ArgumentException("output must have as many elements as the input", nameof(output));
            var domain = GetDomain(length, tweak);
            if (domain.ModN == 0 || !domain.Fast)
                throw new ArgumentOutOfRangeException(nameof(length), "radix^length must fit in 64 bits for the numbers API; use the numeral API");
            for (var start = 0; start < values.Length; start += BulkChunk)
            {
                var count = Math.Min(BulkChunk, values.Length - start);
                for (var j = 0; j < count; j++)
                {
                    var x = values[start + j];
                    if (x >= domain.ModN)
                        throw new ArgumentOutOfRangeException(nameof(values), $"value at index {start + j} has more than {length} numerals");
                    _a[j] = x / domain.ModV;
                    _b[j] = x % domain.ModV;
                }
                if (encrypt) EncryptRounds(domain, count); else DecryptRounds(domain, count);
                for (var j = 0; j < count; j++) output[start + j] = _a[j] * domain.ModV + _b[j];
            }
        }

        public void Cipher(ReadOnlySpan<byte> tweak, ReadOnlySpan<int> numerals, Span<int> output, bool encrypt)
        {
            if (output.Length != numerals.Length)
                throw new ArgumentException("output must have as many numerals as the input", nameof(output));
            var radix = Radix;
            for (var k = 0; k < numerals.Length; k++)
                if ((uint)numerals[k] >= (uint)radix)
                    throw new ArgumentOutOfRangeException(nameof(numerals), $"numeral at position {k + 1} is not between 0 and radix − 1");
            var domain = GetDomain(numerals.Length, tweak);
            if (!domain.Fast)
            {
                GeneralCipher(domain, numerals, output, encrypt);
                return;
            }
            ulong a = 0, b = 0;
            for (var k = 0; k < domain.U; k++) a = a * (uint)radix + (uint)numerals[k];
            for (var k = domain.U; k < numerals.Length; k++) b = b * (uint)radix + (uint)numerals[k];
            _a[0] = a;
            _b[0] = b;
            if (encrypt) EncryptRounds(domain, 1); else DecryptRounds(domain, 1);
            WriteNumerals(_a[0], output[..domain.U], radix);
            WriteNumerals(_b[0], output[domain.U..], radix);
        }

        private static void WriteNumerals(ulong value, Span<int> output, int radix)
        {
            for (var k = output.Length - 1; k >= 0; k--)
            {
                output[k] = (int)(value % (uint)radix);
                value /= (uint)radix;
            }
        }

        // Round i (SP 800-38G Algorithm 7): Q = T ‖ 0^pad ‖ [i]^1 ‖ [NUM(B)]^b; R = PRF(P ‖ Q);
        // y = NUM(first d bytes of R) (d ≤ 12 here); c = NUM(A) + y mod radix^m; A ← B; B ← c.
        private void EncryptRounds(Domain domain, int count)
        {
            var shiftIndex = 8 * domain.B;
            var shiftY = 8 * (16 - domain.D);
            for (var i = 0; i < Rounds; i++)
            {
                var mod = (i & 1) == 0 ? domain.ModU : domain.ModV;
                var tweakRound = domain.Whitened ^ ((UInt128)(uint)i << shiftIndex);
                for (var j = 0; j < count; j++)
                    BinaryPrimitives.WriteUInt128BigEndian(_in.AsSpan(16 * j, 16), tweakRound ^ _b[j]);
                EncryptBlocks(count);
                for (var j = 0; j < count; j++)
                {
                    var y = BinaryPrimitives.ReadUInt128BigEndian(_out.AsSpan(16 * j, 16)) >> shiftY;
                    var ym = y <= ulong.MaxValue ? (ulong)y % mod : (ulong)(y % mod);
                    var a = _a[j];
                    var c = a + ym;
                    if (c < a || c >= mod) c -= mod; // a, ym < mod: one subtraction suffices (wrapping is exact)
                    _a[j] = _b[j];
                    _b[j] = c;
                }
            }
        }

        // Inverse (Algorithm 8): Q uses NUM(A); c = NUM(B) − y mod radix^m; B ← A; A ← c.
        private void DecryptRounds(Domain domain, int count)
        {
            var shiftIndex = 8 * domain.B;
            var shiftY = 8 * (16 - domain.D);
            for (var i = Rounds - 1; i >= 0; i--)
            {
                var mod = (i & 1) == 0 ? domain.ModU : domain.ModV;
                var tweakRound = domain.Whitened ^ ((UInt128)(uint)i << shiftIndex);
                for (var j = 0; j < count; j++)
                    BinaryPrimitives.WriteUInt128BigEndian(_in.AsSpan(16 * j, 16), tweakRound ^ _a[j]);
                EncryptBlocks(count);
                for (var j = 0; j < count; j++)
                {
                    var y = BinaryPrimitives.ReadUInt128BigEndian(_out.AsSpan(16 * j, 16)) >> shiftY;
                    var ym = y <= ulong.MaxValue ? (ulong)y % mod : (ulong)(y % mod);
                    var bj = _b[j];
                    var c = bj >= ym ? bj - ym : bj + (mod - ym);
                    _b[j] = _a[j];
                    _a[j] = c;
                }
            }
        }

        /// <summary>The textbook algorithm over <see cref="BigInteger"/>, for domains whose halves exceed 64 bits.</summary>
        private void GeneralCipher(Domain domain, ReadOnlySpan<int> numerals, Span<int> output, bool encrypt)
        {
            var radix = Radix;
            var u = domain.U;
            var v = domain.V;
            var a = Num(numerals[..u], radix);
            var b = Num(numerals[u..], radix);
            var modU = BigInteger.Pow(radix, u);
            var modV = BigInteger.Pow(radix, v);
            var t = domain.Tweak.Length;
            var pad = Mod16(-(t + domain.B + 1));
            var message = new byte[16 + t + pad + 1 + domain.B];
            domain.P.CopyTo(message, 0);
            domain.Tweak.CopyTo(message, 16);
            var indexAt = 16 + t + pad;
            var sBlocks = (domain.D + 15) / 16;
            var s = new byte[sBlocks * 16];
            Span<byte> r = stackalloc byte[16];

            for (var step = 0; step < Rounds; step++)
            {
                var i = encrypt ? step : Rounds - 1 - step;
                var fed = encrypt ? b : a;
                message[indexAt] = (byte)i;
                var bytes = message.AsSpan(indexAt + 1, domain.B);
                bytes.Clear();
                var numBytes = fed.ToByteArray(isUnsigned: true, isBigEndian: true);
                numBytes.CopyTo(bytes[(domain.B - numBytes.Length)..]);

                // R = PRF(P ‖ Q): CBC-MAC with a zero IV.
                r.Clear();
                for (var offset = 0; offset < message.Length; offset += 16)
                {
                    for (var k = 0; k < 16; k++) _in[k] = (byte)(r[k] ^ message[offset + k]);
                    EncryptBlocks(1);
                    _out.AsSpan(0, 16).CopyTo(r);
                }
                // S = R ‖ CIPH(R ⊕ [1]^16) ‖ CIPH(R ⊕ [2]^16) ‖ …, first d bytes.
                r.CopyTo(s);
                for (var j = 1; j < sBlocks; j++)
                {
                    r.CopyTo(_in);
                    BinaryPrimitives.WriteUInt64BigEndian(_in.AsSpan(8),
                        BinaryPrimitives.ReadUInt64BigEndian(r[8..]) ^ (ulong)j);
                    EncryptBlocks(1);
                    _out.AsSpan(0, 16).CopyTo(s.AsSpan(16 * j));
                }
                var y = new BigInteger(s.AsSpan(0, domain.D), isUnsigned: true, isBigEndian: true);
                var mod = (i & 1) == 0 ? modU : modV;
                if (encrypt)
                {
                    var c = (a + y) % mod;
                    a = b;
                    b = c;
                }
                else
                {
                    var c = ((b - y) % mod + mod) % mod;
                    b = a;
                    a = c;
                }
            }
            Str(a, output[..u], radix);
            Str(b, output[u..], radix);
        }

        private static BigInteger Num(ReadOnlySpan<int> numerals, int radix)
        {
            var x = BigInteger.Zero;
            foreach (var numeral in numerals) x = x * radix + numeral;
            return x;
        }

        private static void Str(BigInteger x, Span<int> output, int radix)
        {
            for (var k = output.Length - 1; k >= 0; k--)
            {
                x = BigInteger.DivRem(x, radix, out var remainder);
                output[k] = (int)remainder;
            }
        }
    }
}

/// <summary>AES encryption (ECB, whole blocks) on the x86 AES instructions, for <see cref="Ff1"/>.</summary>
internal static class HardwareAes
{
    public static bool IsSupported => X86Aes.IsSupported;

    /// <summary>The FIPS 197 key expansion for a 16-, 24- or 32-byte key: 11, 13 or 15 round keys.</summary>
    public static Vector128<byte>[] ExpandKey(ReadOnlySpan<byte> key)
    {
        var nk = key.Length / 4;
        var rounds = nk + 6;
        var words = new uint[4 * (rounds + 1)];
        for (var i = 0; i < nk; i++) words[i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
        uint rcon = 1;
        for (var i = nk; i < words.Length; i++)
        {
            var temp = words[i - 1];
            if (i % nk == 0)
            {
                temp = SubRotWord(temp) ^ rcon;
                rcon = (rcon << 1) ^ ((rcon & 0x80) != 0 ? 0x11Bu : 0u);
            }
            else if (nk > 6 && i % nk == 4)
            {
                temp = SubWord(temp);
            }
            words[i] = words[i - nk] ^ temp;
        }
        var keys = new Vector128<byte>[rounds + 1];
        for (var r = 0; r <= rounds; r++) keys[r] = Vector128.Create(words[4 * r], words[4 * r + 1], words[4 * r + 2], words[4 * r + 3]).AsByte();
        Array.Clear(words);
        return keys;
    }

    // AESKEYGENASSIST with lane 1 = w: lane 0 is SubWord(w), lane 1 is RotWord(SubWord(w)) (the round constant, 0 here, is added by the caller).
    private static uint SubWord(uint w) => X86Aes.KeygenAssist(Vector128.Create(0u, w, 0u, 0u).AsByte(), 0).AsUInt32().GetElement(0);

    private static uint SubRotWord(uint w) => X86Aes.KeygenAssist(Vector128.Create(0u, w, 0u, 0u).AsByte(), 0).AsUInt32().GetElement(1);

    /// <summary>Encrypts <paramref name="blocks"/> 16-byte blocks of <paramref name="input"/> into <paramref name="output"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Encrypt(Vector128<byte>[] roundKeys, byte[] input, byte[] output, int blocks)
    {
        if ((uint)(blocks * 16) > (uint)input.Length || (uint)(blocks * 16) > (uint)output.Length) throw new ArgumentOutOfRangeException(nameof(blocks));
        var last = roundKeys.Length - 1;
        ref var source = ref MemoryMarshal.GetArrayDataReference(input);
        ref var target = ref MemoryMarshal.GetArrayDataReference(output);
        var j = 0;
        // Four blocks at a time: independent blocks keep the AES unit busy while each round waits for the one before.
        for (; j + 4 <= blocks; j += 4)
        {
            var k0 = roundKeys[0];
            var a = Vector128.LoadUnsafe(ref source, (nuint)(16 * j)) ^ k0;
            var b = Vector128.LoadUnsafe(ref source, (nuint)(16 * j + 16)) ^ k0;
            var c = Vector128.LoadUnsafe(ref source, (nuint)(16 * j + 32)) ^ k0;
            var d = Vector128.LoadUnsafe(ref source, (nuint)(16 * j + 48)) ^ k0;
            for (var r = 1; r < last; r++)
            {
                var k = roundKeys[r];
                a = X86Aes.Encrypt(a, k);
                b = X86Aes.Encrypt(b, k);
                c = X86Aes.Encrypt(c, k);
                d = X86Aes.Encrypt(d, k);
            }
            var kl = roundKeys[last];
            X86Aes.EncryptLast(a, kl).StoreUnsafe(ref target, (nuint)(16 * j));
            X86Aes.EncryptLast(b, kl).StoreUnsafe(ref target, (nuint)(16 * j + 16));
            X86Aes.EncryptLast(c, kl).StoreUnsafe(ref target, (nuint)(16 * j + 32));
            X86Aes.EncryptLast(d, kl).StoreUnsafe(ref target, (nuint)(16 * j + 48));
        }
        for (; j < blocks; j++)
        {
            var a = Vector128.LoadUnsafe(ref source, (nuint)(16 * j)) ^ roundKeys[0];
            for (var r = 1; r < last; r++) a = X86Aes.Encrypt(a, roundKeys[r]);
            X86Aes.EncryptLast(a, roundKeys[last]).StoreUnsafe(ref target, (nuint)(16 * j));
        }
    }
}
