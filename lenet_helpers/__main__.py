"""Train LeNet-5 on Fashion-MNIST from the command line: ``python -m
lenet_helpers``.
"""

import argparse
import sys

import torch

from . import (
    FashionMNISTError,
    lenet,
    load_data_fashion_mnist,
    set_seed,
    train,
    try_gpu,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lenet_helpers", description=__doc__
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.9)
    parser.add_argument(
        "--device",
        default=None,
        help="cpu, cuda, mps (default: the best one present)",
    )
    parser.add_argument(
        "--data",
        default=None,
        help="folder with the Fashion-MNIST files (default: see README)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--plot",
        default="lenet_training.png",
        help="where to save the training plot",
    )
    parser.add_argument(
        "--save-weights",
        metavar="PATH",
        default=None,
        help="also save the trained weights (a state_dict) to PATH",
    )
    args = parser.parse_args(argv)

    set_seed(args.seed)
    device = args.device or try_gpu()
    try:
        train_iter, test_iter = load_data_fashion_mnist(
            args.batch_size, root=args.data, device=device
        )
    except FashionMNISTError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    net = lenet()
    train(
        net,
        train_iter,
        test_iter,
        args.epochs,
        args.lr,
        device,
        save_plot=args.plot,
    )
    print(f"training plot saved to {args.plot}")
    if args.save_weights:
        state = {k: v.cpu().contiguous() for k, v in net.state_dict().items()}
        torch.save(state, args.save_weights)
        print(f"weights saved to {args.save_weights}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
