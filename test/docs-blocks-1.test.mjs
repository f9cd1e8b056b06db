// The ```js blocks of the docs, share 1 of 3 (test/helpers/docs.mjs; the convention is in test/docs.test.mjs).
import { suite } from 'uvu';
import { blockSuite } from './helpers/docs.mjs';

blockSuite(suite, 0, 3);
