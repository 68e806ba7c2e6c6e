using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PostRvq.Native;

/// <summary>
/// CPU settings of LibTorch that TorchSharp does not expose.
/// LibTorch 2.10's oneDNN (mkldnn) convolution backward on CPU returns wrong, sometimes NaN, gradients for
/// strided and transposed 1-D convolutions (checked against float64 in ExactConvolutionTests), so training
/// switches oneDNN and NNPACK off and uses ATen's native convolution kernels. This costs speed, not accuracy.
/// </summary>
public static class LibTorchCpu
{
    static readonly object Gate = new();
    static bool exact;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>True once <see cref="UseExactConvolutions"/> has switched oneDNN and NNPACK off.</summary>
    public static bool ExactConvolutions => exact;

    /// <summary>Turns oneDNN and NNPACK convolutions off for the whole process (idempotent).</summary>
    public static void UseExactConvolutions()
    {
        lock (Gate)
        {
            if (exact) return;
            // Any tensor operation makes TorchSharp load libtorch_cpu, which dlopen then finds by its soname.
            using (var warmUp = zeros(1)) { }
            var library = NativeLibrary.Load(OperatingSystem.IsWindows() ? "torch_cpu.dll" : "libtorch_cpu.so");
            var context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(
                NativeLibrary.GetExport(library, "_ZN2at13globalContextEv"))();
            Marshal.GetDelegateForFunctionPointer<SetFlag>(
                NativeLibrary.GetExport(library, "_ZN2at7Context20setUserEnabledMkldnnEb"))(context, false);
            Marshal.GetDelegateForFunctionPointer<SetFlag>(
                NativeLibrary.GetExport(library, "_ZN2at7Context20setUserEnabledNNPACKEb"))(context, false);
            exact = true;
        }
    }
}
