namespace Renkei.Cli.Demo;

/// <summary>
/// SplitMix64: a tiny, fast, well-mixed 64-bit generator with a fully specified output, so demo data
/// never depends on how <see cref="System.Random"/> happens to be implemented in a given runtime.
/// A mutable struct: pass it by <c>ref</c>.
/// </summary>
internal struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        _state += Gamma;
        return Finalize(_state);
    }

    /// <summary>Uniform in [0, n) by multiply-shift (bias below 2^-32, irrelevant for demo data).</summary>
    public int Next(int n) => (int)(((NextUInt64() >> 32) * (ulong)(uint)n) >> 32);

    /// <summary>Uniform in [min, maxInclusive].</summary>
    public int Between(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    /// <summary>True with probability <paramref name="perMille"/>/1000.</summary>
    public bool PerMille(int perMille) => Next(1000) < perMille;

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>The SplitMix64 output function (a strong 64-bit mixer).</summary>
    public static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A well-mixed key for a stream identified by (key, a, b): counter-based, so any household can be generated on its own.</summary>
    public static ulong Derive(ulong key, ulong a, ulong b) =>
        Finalize(Finalize(key ^ (a * 0xD6E8FEB86659FD93UL)) + Gamma * (b + 1));
}

/// <summary>
/// Constant-time weighted choice: a lookup table of 2^14 slots filled in proportion to the weights.
/// Weights need not sum to one; every positive weight gets at least one slot.
/// </summary>
internal sealed class WeightedTable
{
    private const int Bits = 14;
    private const int Size = 1 << Bits;
    private readonly ushort[] _slots = new ushort[Size];

    public WeightedTable(IReadOnlyList<double> weights)
    {
        if (weights.Count is 0 or > ushort.MaxValue) throw new ArgumentException("between 1 and 65535 weights", nameof(weights));
        var total = weights.Sum();
        if (!(total > 0)) throw new ArgumentException("weights must sum to a positive value", nameof(weights));
        // Largest-remainder apportionment with a minimum of one slot per positive weight.
        var counts = new int[weights.Count];
        var assigned = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            if (weights[i] < 0) throw new ArgumentException("weights must not be negative", nameof(weights));
            counts[i] = weights[i] > 0 ? Math.Max(1, (int)(weights[i] / total * Size)) : 0;
            assigned += counts[i];
        }
        for (var i = 0; assigned < Size; i = (i + 1) % counts.Length)
            if (counts[i] > 0) { counts[i]++; assigned++; }
        for (var i = 0; assigned > Size; i = (i + 1) % counts.Length)
            if (counts[i] > 1) { counts[i]--; assigned--; }
        var slot = 0;
        for (var i = 0; i < counts.Length; i++)
            for (var c = 0; c < counts[i]; c++) _slots[slot++] = (ushort)i;
    }

    public int Count => _slots.Length;

    public int Sample(ref SplitMix64 random) => _slots[(int)(random.NextUInt64() >> (64 - Bits))];

    /// <summary>A table over integer values (e.g. ages) given as bands (from, to inclusive, weight per value).</summary>
    public static (WeightedTable Table, int Offset) Bands(params (int From, int To, double Weight)[] bands)
    {
        var min = bands.Min(b => b.From);
        var max = bands.Max(b => b.To);
        var weights = new double[max - min + 1];
        foreach (var (from, to, weight) in bands)
            for (var v = from; v <= to; v++) weights[v - min] = weight;
        return (new WeightedTable(weights), min);
    }
}

/// <summary>A weighted table over a range of integers (ages).</summary>
internal sealed class IntDistribution((WeightedTable Table, int Offset) source)
{
    private readonly WeightedTable _table = source.Table;
    private readonly int _offset = source.Offset;

    public int Sample(ref SplitMix64 random) => _offset + _table.Sample(ref random);
}
