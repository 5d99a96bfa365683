using System.Runtime.CompilerServices;

// Ff1Tests run the NIST samples through the general BigInteger path too (Ff1.ForceGeneralPath).
[assembly: InternalsVisibleTo("Renkei.Core.Tests")]
