using BenchmarkDotNet.Attributes;
using Renkei.Core.Numbers;

namespace Renkei.Benchmarks;

[MemoryDiagnoser]
public class NumberParsingBenchmarks
{
    private string[] _inputs = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _inputs = Enumerable.Range(0, 1024)
            .Select(i => IndividualNumber.FromBody(random.NextInt64(0, IndividualNumber.BodyCount)).Digits)
            .Select((digits, i) => i % 4 == 0 ? $"{digits[..4]}-{digits[4..8]}-{digits[8..]}" : digits)
            .ToArray();
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public int ParseIndividualNumbers()
    {
        var valid = 0;
        foreach (var input in _inputs)
            if (IndividualNumber.Parse(input).IsValid) valid++;
        return valid;
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public int ComputeCheckDigits()
    {
        var sum = 0;
        for (long body = 0; body < 1024; body++) sum += IndividualNumber.ComputeCheckDigit(body * 97_654_321L);
        return sum;
    }
}
